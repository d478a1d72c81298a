import { startTestCluster, TestCluster } from './testing';

/*
 * The control loops around namespaces do not wait on each other: while a
 * namespace full of objects is being torn down (and held Terminating by a
 * finalizer), a new namespace gets its `default` ServiceAccount and
 * `kube-root-ca.crt` at once, so `kubectl create ns x && kubectl create -f
 * pod.yaml -n x` works as on a real cluster.
 */

jest.setTimeout(120_000);

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

const pod = (name: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      containers: [
        { name: 'app', image: 'busybox:1.36', args: ['sleep', '1d'] },
      ],
    },
  });

describe('namespaces on the dev cluster', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster();
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('serves a new namespace and its pods while another namespace is being deleted', async () => {
    await cluster.kubectl(['create', 'namespace', 'doomed']);
    const objects = [];
    for (let i = 0; i < 300; i++) {
      objects.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${i}` },
        data: { i: String(i) },
      });
    }
    for (let i = 0; i < 10; i++) objects.push(JSON.parse(pod(`pod-${i}`)));
    // Holds the namespace in Terminating until the test lets it go.
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'held', finalizers: ['example.com/hold'] },
    });
    const created = await cluster.kubectl(
      ['create', '-n', 'doomed', '-f', '-'],
      objects.map(o => JSON.stringify(o)).join('\n---\n'),
    );
    expect(created.stderr).toBe('');
    const deleted = await cluster.kubectl([
      'delete',
      'namespace',
      'doomed',
      '--wait=false',
    ]);
    expect(deleted.code).toBe(0);

    for (const name of ['fresh-1', 'fresh-2', 'fresh-3']) {
      const ns = await cluster.kubectl(['create', 'namespace', name]);
      expect(ns.stderr).toBe('');
      const run = await cluster.kubectl(
        ['create', '-n', name, '-f', '-'],
        pod('run'),
      );
      expect({ stderr: run.stderr, code: run.code }).toEqual({
        stderr: '',
        code: 0,
      });
      const rootCa = await cluster.kubectl([
        'get',
        '-n',
        name,
        'configmap',
        'kube-root-ca.crt',
        '-o',
        'name',
      ]);
      expect(rootCa.stdout).toBe('configmap/kube-root-ca.crt\n');
    }
    const running = await cluster.kubectl([
      'wait',
      '-n',
      'fresh-3',
      '--for=jsonpath={.status.phase}=Running',
      'pod/run',
      '--timeout=60s',
    ]);
    expect(running.code).toBe(0);
    // A TaskRun's pod, created by the Tekton controller as the namespace's default ServiceAccount.
    await cluster.kubectl(['create', 'namespace', 'fresh-run']);
    const taskRun = await cluster.kubectl(
      ['create', '-n', 'fresh-run', '-f', '-'],
      JSON.stringify({
        apiVersion: 'tekton.dev/v1',
        kind: 'TaskRun',
        metadata: { name: 'hello' },
        spec: {
          taskSpec: {
            steps: [
              { name: 'hello', image: 'busybox:1.36', script: 'echo hello' },
            ],
          },
        },
      }),
    );
    expect(taskRun.stderr).toBe('');
    const succeeded = await cluster.kubectl([
      'wait',
      '-n',
      'fresh-run',
      '--for=condition=Succeeded',
      'taskrun/hello',
      '--timeout=60s',
    ]);
    expect(succeeded.stdout).toBe('taskrun.tekton.dev/hello condition met\n');

    const phase = await cluster.kubectl([
      'get',
      'namespace',
      'doomed',
      '-o',
      'jsonpath={.status.phase}',
    ]);
    expect(phase.stdout).toBe('Terminating');
    await cluster.kubectl([
      'patch',
      '-n',
      'doomed',
      'configmap',
      'held',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    ]);
    const gone = await cluster.kubectl([
      'wait',
      '--for=delete',
      'namespace/doomed',
      '--timeout=60s',
    ]);
    expect(gone.code).toBe(0);
  });

  it('recreates a deleted default ServiceAccount and restores a changed root CA', async () => {
    await cluster.kubectl(['create', 'namespace', 'restore']);
    await cluster.kubectl([
      'wait',
      '-n',
      'restore',
      '--for=create',
      'serviceaccount/default',
      '--timeout=60s',
    ]);
    const before = await cluster.kubectl([
      'get',
      '-n',
      'restore',
      'serviceaccount',
      'default',
      '-o',
      'jsonpath={.metadata.uid}',
    ]);
    await cluster.kubectl([
      'delete',
      '-n',
      'restore',
      'serviceaccount',
      'default',
    ]);
    const recreated = await cluster.kubectl([
      'wait',
      '-n',
      'restore',
      '--for=create',
      'serviceaccount/default',
      '--timeout=60s',
    ]);
    expect(recreated.code).toBe(0);
    const after = await cluster.kubectl([
      'get',
      '-n',
      'restore',
      'serviceaccount',
      'default',
      '-o',
      'jsonpath={.metadata.uid}',
    ]);
    expect(after.stdout).not.toBe(before.stdout);

    await cluster.kubectl([
      'patch',
      '-n',
      'restore',
      'configmap',
      'kube-root-ca.crt',
      '--type=merge',
      '-p',
      '{"data":{"ca.crt":"tampered"}}',
    ]);
    const ca = await eventually(async () => {
      const read = await cluster.kubectl([
        'get',
        '-n',
        'restore',
        'configmap',
        'kube-root-ca.crt',
        '-o',
        'jsonpath={.data.ca\\.crt}',
      ]);
      return read.stdout === 'tampered' ? undefined : read;
    });
    expect(ca.stdout).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});
