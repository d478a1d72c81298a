import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, TestCluster } from './testing';

/*
 * PersistentVolumeClaims on the dev cluster as on a kind cluster: the
 * default StorageClass `standard` binds a claim when its first pod is
 * scheduled, with a local volume on that pod's node, and the data stays
 * across container restarts, in-place updates, new pods and restarts of the
 * dev cluster itself.
 */

jest.setTimeout(120_000);

const NAMESPACE = 'storage';

/** Polls `read` until it returns something, for at most a minute. */
async function eventually<T>(read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

const claim = (name: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
    },
  });

/** A pod that appends a line to data/log on the claim each time it starts, then sleeps. */
const writer = (name: string, claimName: string, image = 'busybox:1.36') =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      volumes: [
        { name: 'data', persistentVolumeClaim: { claimName: claimName } },
      ],
      containers: [
        {
          name: 'app',
          image,
          command: ['sh', '-c', `echo ${name} >> data/log; sleep 1d`],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
    },
  });

describe('persistent volumes on the dev cluster', () => {
  let cluster: TestCluster;

  const kubectl = (...args: string[]) =>
    cluster.kubectl(['-n', NAMESPACE, ...args]);
  const json = async (...args: string[]) =>
    JSON.parse((await kubectl('get', ...args, '-o', 'json')).stdout);
  const running = (pod: string) =>
    kubectl(
      'wait',
      '--for=jsonpath={.status.phase}=Running',
      `pod/${pod}`,
      '--timeout=60s',
    );

  beforeAll(async () => {
    cluster = await startTestCluster({ tekton: false });
    await cluster.kubectl(['create', 'namespace', NAMESPACE]);
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('has the default StorageClass standard, binding at the first consumer', async () => {
    const table = await cluster.kubectl(['get', 'storageclass']);
    expect(table.stdout).toMatch(
      /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE\nstandard \(default\)\s+cairn\.dev\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+\d+s\n$/,
    );
  });

  it('binds a claim when its first pod is scheduled, on that pod’s node, and keeps the data across restarts, in-place updates and new pods', async () => {
    await cluster.kubectl(
      ['-n', NAMESPACE, 'create', '-f', '-'],
      claim('data'),
    );
    const pending = await json('pvc', 'data');
    expect(pending.spec.storageClassName).toBe('standard');
    expect(pending.status.phase).toBe('Pending');
    const waiting = await eventually(async () => {
      const events = await json(
        'events',
        '--field-selector',
        'involvedObject.name=data',
      );
      return events.items.find((e: any) => e.reason === 'WaitForFirstConsumer');
    });
    expect(waiting.message).toBe(
      'waiting for first consumer to be created before binding',
    );
    expect((await json('pv')).items ?? []).toEqual([]);

    await cluster.kubectl(
      ['-n', NAMESPACE, 'create', '-f', '-'],
      writer('first', 'data'),
    );
    expect((await running('first')).code).toBe(0);
    const node = (await json('pod', 'first')).spec.nodeName;
    const bound = await json('pvc', 'data');
    expect(bound).toMatchObject({
      metadata: {
        annotations: { 'volume.kubernetes.io/selected-node': node },
      },
      spec: { volumeName: `pvc-${bound.metadata.uid}` },
      status: {
        phase: 'Bound',
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
      },
    });
    const volume = await json('pv', bound.spec.volumeName);
    expect(volume).toMatchObject({
      spec: {
        storageClassName: 'standard',
        persistentVolumeReclaimPolicy: 'Delete',
        claimRef: { namespace: NAMESPACE, name: 'data' },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  {
                    key: 'kubernetes.io/hostname',
                    operator: 'In',
                    values: [node],
                  },
                ],
              },
            ],
          },
        },
      },
      status: { phase: 'Bound' },
    });
    const folder = volume.spec.hostPath.path;
    expect(readFileSync(join(folder, 'log'), 'utf8')).toBe('first\n');

    // An in-place image update restarts the container on the same volume.
    await kubectl(
      'patch',
      'pod',
      'first',
      '-p',
      '{"spec":{"containers":[{"name":"app","image":"busybox:1.37"}]}}',
    );
    await eventually(async () => {
      const pod = await json('pod', 'first');
      const status = pod.status.containerStatuses?.[0];
      return status?.restartCount === 1 && status.state.running
        ? pod
        : undefined;
    });
    // The new instance appends to what the first wrote.
    await eventually(async () =>
      readFileSync(join(folder, 'log'), 'utf8') === 'first\nfirst\n'
        ? true
        : undefined,
    );

    // A new pod on the claim goes to the volume's node and sees its data.
    await kubectl('delete', 'pod', 'first', '--wait=true');
    await cluster.kubectl(
      ['-n', NAMESPACE, 'create', '-f', '-'],
      writer('second', 'data'),
    );
    expect((await running('second')).code).toBe(0);
    expect((await json('pod', 'second')).spec.nodeName).toBe(node);
    const log = await eventually(async () => {
      const read = await kubectl('exec', 'second', '--', 'cat', 'data/log');
      return read.stdout.includes('second') ? read.stdout : undefined;
    });
    expect(log).toBe('first\nfirst\nsecond\n');

    // A claim in use outlives its deletion (pvc-protection) until its pod goes.
    await kubectl('delete', 'pvc', 'data', '--wait=false');
    const terminating = await kubectl('get', 'pvc', 'data', '--no-headers');
    expect(terminating.stdout).toMatch(/^data\s+Terminating\s/);
    expect(existsSync(join(folder, 'log'))).toBe(true);
    await kubectl('delete', 'pod', 'second', '--wait=true');
    // Then the claim goes, and its released volume with its folder.
    const claimGone = await kubectl(
      'wait',
      '--for=delete',
      'pvc/data',
      '--timeout=60s',
    );
    expect(claimGone.code).toBe(0);
    const gone = await cluster.kubectl([
      'wait',
      '--for=delete',
      `pv/${bound.spec.volumeName}`,
      '--timeout=60s',
    ]);
    expect(gone.code).toBe(0);
    expect(existsSync(folder)).toBe(false);
  });

  it('keeps a pod whose claim does not exist Pending, with the scheduler’s reason', async () => {
    await cluster.kubectl(
      ['-n', NAMESPACE, 'create', '-f', '-'],
      writer('orphan', 'missing'),
    );
    const condition = await eventually(async () => {
      const pod = await json('pod', 'orphan');
      return pod.status.conditions?.find(
        (c: any) => c.type === 'PodScheduled' && c.status === 'False',
      );
    });
    expect(condition.message).toContain(
      'persistentvolumeclaim "missing" not found',
    );

    // Created later, the claim lets the pod run.
    await cluster.kubectl(
      ['-n', NAMESPACE, 'create', '-f', '-'],
      claim('missing'),
    );
    expect((await running('orphan')).code).toBe(0);
  });
});

describe('persistent volumes across dev cluster restarts', () => {
  it('keeps a volume’s data and binding when the dev cluster stops and starts again', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'dev-cluster-volumes-'));
    const options = {
      stateDir,
      persistFile: join(stateDir, 'state.json'),
      tekton: false,
    };
    try {
      const first = await startTestCluster(options);
      await first.kubectl(['create', '-f', '-'], claim('kept'));
      await first.kubectl(['create', '-f', '-'], writer('keeper', 'kept'));
      await first.kubectl([
        'wait',
        '--for=jsonpath={.status.phase}=Running',
        'pod/keeper',
        '--timeout=60s',
      ]);
      const volumeName = (
        await first.kubectl([
          'get',
          'pvc',
          'kept',
          '-o',
          'jsonpath={.spec.volumeName}',
        ])
      ).stdout;
      await first.stop();

      const second = await startTestCluster(options);
      try {
        const phase = await second.kubectl([
          'get',
          'pvc',
          'kept',
          '-o',
          'jsonpath={.status.phase} {.spec.volumeName}',
        ]);
        expect(phase.stdout).toBe(`Bound ${volumeName}`);
        await second.kubectl(['create', '-f', '-'], writer('reader', 'kept'));
        await second.kubectl([
          'wait',
          '--for=jsonpath={.status.phase}=Running',
          'pod/reader',
          '--timeout=60s',
        ]);
        const log = await eventually(async () => {
          const read = await second.kubectl([
            'exec',
            'reader',
            '--',
            'cat',
            'data/log',
          ]);
          return read.stdout.includes('reader') ? read.stdout : undefined;
        });
        expect(log.startsWith('keeper\n')).toBe(true);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
