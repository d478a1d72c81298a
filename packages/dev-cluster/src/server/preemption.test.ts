import { KubeConfig, Watch } from '@kubernetes/client-node';
import { startTestCluster, TestCluster } from './testing';

/*
 * Pod priority and scheduler preemption as kubectl and client-node see them:
 * PriorityClasses, the Priority admission plugin, and a higher-priority pod
 * evicting a lower-priority one from the only node it may run on.
 */

jest.setTimeout(120_000);

const NAMESPACE = 'prio';

function pinnedPod(
  name: string,
  nodeName: string,
  extra: Record<string, unknown> = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      nodeSelector: { 'kubernetes.io/hostname': nodeName },
      terminationGracePeriodSeconds: 5,
      containers: [
        { name: 'c', image: 'busybox', resources: { requests: { cpu: '6' } } },
      ],
      ...extra,
    },
  };
}

/**
 * Starts watching one pod; once the watch is established, resolves with
 * `states`: every state the pod goes through until `until` holds.
 */
async function watchPod(
  kc: KubeConfig,
  name: string,
  until: (type: string, pod: any) => boolean,
): Promise<{ states: Promise<any[]> }> {
  const seen: any[] = [];
  let done = false;
  let finish: (states: any[]) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  const states = new Promise<any[]>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const controller = await new Watch(kc).watch(
    `/api/v1/namespaces/${NAMESPACE}/pods`,
    { fieldSelector: `metadata.name=${name}` },
    (type, object) => {
      seen.push(object);
      if (done || !until(type, object)) return;
      done = true;
      finish(seen);
    },
    err => {
      if (!done) fail(err ?? new Error('watch ended'));
    },
  );
  return { states: states.finally(() => controller.abort()) };
}

describe('pod priority and preemption', () => {
  let cluster: TestCluster;
  let kc: KubeConfig;
  let nodeName: string;

  beforeAll(async () => {
    cluster = await startTestCluster();
    kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    await cluster.kubectl(['create', 'namespace', NAMESPACE]);
    nodeName = (
      await cluster.kubectl([
        'get',
        'nodes',
        '-o',
        'jsonpath={.items[0].metadata.name}',
      ])
    ).stdout;
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('serves PriorityClasses with the system classes built in', async () => {
    const system = await cluster.kubectl([
      'get',
      'priorityclasses',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.value},{.preemptionPolicy}{"\\n"}{end}',
    ]);
    expect(system.stdout.trim().split('\n')).toEqual([
      'system-cluster-critical=2000000000,PreemptLowerPriority',
      'system-node-critical=2000001000,PreemptLowerPriority',
    ]);
    const created = await cluster.kubectl([
      'create',
      'priorityclass',
      'high',
      '--value=1000',
      '--description=test',
    ]);
    expect(created.stdout).toBe(
      'priorityclass.scheduling.k8s.io/high created\n',
    );
    const table = await cluster.kubectl(['get', 'pc']);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY$/,
    );
    expect(table.stdout).toMatch(
      /\nhigh\s+1000\s+false\s+\S+\s+PreemptLowerPriority\n/,
    );
    const tooHigh = await cluster.kubectl([
      'create',
      'priorityclass',
      'too-high',
      '--value=1000000001',
    ]);
    expect(tooHigh.stderr).toBe(
      'error: failed to create priorityclass: PriorityClass.scheduling.k8s.io "too-high" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000\n',
    );
    await cluster.kubectl([
      'create',
      'priorityclass',
      'default-one',
      '--value=10',
      '--global-default',
    ]);
    const secondDefault = await cluster.kubectl([
      'create',
      'priorityclass',
      'default-two',
      '--value=20',
      '--global-default',
    ]);
    expect(secondDefault.stderr).toBe(
      'error: failed to create priorityclass: priorityclasses.scheduling.k8s.io "default-two" is forbidden: PriorityClass default-one is already marked as default. Only one default can exist\n',
    );
    await cluster.kubectl(['delete', 'priorityclass', 'default-one']);
    const deleteSystem = await cluster.kubectl([
      'delete',
      'priorityclass',
      'system-node-critical',
    ]);
    expect(deleteSystem.stderr).toBe(
      'Error from server (Forbidden): priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted\n',
    );
  });

  it('resolves priorityClassName into the pod priority on admission', async () => {
    const unknown = await cluster.kubectl(
      ['create', '-f', '-'],
      JSON.stringify(
        pinnedPod('unknown-class', nodeName, { priorityClassName: 'nope' }),
      ),
    );
    expect(unknown.stderr).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "unknown-class" is forbidden: no PriorityClass with name nope was found\n',
    );
    const mismatch = await cluster.kubectl(
      ['create', '-f', '-'],
      JSON.stringify(
        pinnedPod('mismatch', nodeName, {
          priorityClassName: 'high',
          priority: 5,
        }),
      ),
    );
    expect(mismatch.stderr).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "mismatch" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name\n',
    );
  });

  it('preempts a lower-priority pod and schedules the preemptor in its place', async () => {
    await cluster.kubectl(
      ['create', '-f', '-'],
      JSON.stringify(pinnedPod('low', nodeName)),
    );
    expect(
      (
        await cluster.kubectl([
          '-n',
          NAMESPACE,
          'wait',
          '--for=condition=Ready',
          'pod/low',
          '--timeout=60s',
        ])
      ).code,
    ).toBe(0);
    const victim = await watchPod(kc, 'low', type => type === 'DELETED');
    const preemptor = await watchPod(
      kc,
      'high',
      (_, pod) => pod.status?.phase === 'Running',
    );
    await cluster.kubectl(
      ['create', '-f', '-'],
      JSON.stringify(
        pinnedPod('high', nodeName, { priorityClassName: 'high' }),
      ),
    );
    const running = await cluster.kubectl([
      '-n',
      NAMESPACE,
      'wait',
      '--for=jsonpath={.status.phase}=Running',
      'pod/high',
      '--timeout=90s',
    ]);
    expect(running.stdout).toBe('pod/high condition met\n');

    const high = JSON.parse(
      (
        await cluster.kubectl([
          '-n',
          NAMESPACE,
          'get',
          'pod',
          'high',
          '-o',
          'json',
        ])
      ).stdout,
    );
    expect(high.spec).toMatchObject({
      priority: 1000,
      preemptionPolicy: 'PreemptLowerPriority',
      nodeName,
    });
    expect(await preemptor.states).toContainEqual(
      expect.objectContaining({
        spec: expect.not.objectContaining({ nodeName }),
        status: expect.objectContaining({ nominatedNodeName: nodeName }),
      }),
    );
    expect(
      (await cluster.kubectl(['-n', NAMESPACE, 'get', 'pod', 'low'])).stderr,
    ).toBe('Error from server (NotFound): pods "low" not found\n');

    const states = await victim.states;
    expect(states.at(-1).metadata.deletionTimestamp).toBeDefined();
    expect(states.at(-1).status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'PreemptionByScheduler',
        message:
          'default-scheduler: preempting to accommodate a higher priority pod',
      }),
    );
    const preempted = JSON.parse(
      (
        await cluster.kubectl([
          '-n',
          NAMESPACE,
          'get',
          'events',
          '--field-selector',
          'involvedObject.name=low,reason=Preempted',
          '-o',
          'json',
        ])
      ).stdout,
    ).items;
    expect(preempted).toEqual([
      expect.objectContaining({
        type: 'Normal',
        message: `Preempted by pod ${high.metadata.uid} on node ${nodeName}`,
      }),
    ]);
    const failed = await cluster.kubectl([
      '-n',
      NAMESPACE,
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=high,reason=FailedScheduling',
      '-o',
      'jsonpath={.items[0].message}',
    ]);
    expect(failed.stdout).toBe(
      "0/18 nodes are available: 1 Insufficient cpu, 17 node(s) didn't match Pod's node affinity/selector.",
    );
  });

  it('does not preempt for a pod whose preemptionPolicy is Never', async () => {
    await cluster.kubectl([
      'create',
      'priorityclass',
      'polite',
      '--value=2000',
      '--preemption-policy=Never',
    ]);
    await cluster.kubectl(
      ['create', '-f', '-'],
      JSON.stringify(
        pinnedPod('polite', nodeName, { priorityClassName: 'polite' }),
      ),
    );
    const waited = await cluster.kubectl([
      '-n',
      NAMESPACE,
      'wait',
      '--for=condition=PodScheduled=False',
      'pod/polite',
      '--timeout=60s',
    ]);
    expect(waited.code).toBe(0);
    const pod = JSON.parse(
      (
        await cluster.kubectl([
          '-n',
          NAMESPACE,
          'get',
          'pod',
          'polite',
          '-o',
          'json',
        ])
      ).stdout,
    );
    expect(pod.spec.preemptionPolicy).toBe('Never');
    expect(pod.status.nominatedNodeName).toBeUndefined();
    expect(pod.status.conditions).toContainEqual(
      expect.objectContaining({
        type: 'PodScheduled',
        reason: 'Unschedulable',
        message:
          "0/18 nodes are available: 1 Insufficient cpu, 17 node(s) didn't match Pod's node affinity/selector. preemption: not eligible due to preemptionPolicy=Never.",
      }),
    );
    expect(
      (
        await cluster.kubectl([
          '-n',
          NAMESPACE,
          'get',
          'pod',
          'high',
          '-o',
          'jsonpath={.status.phase}',
        ])
      ).stdout,
    ).toBe('Running');
  });

  it('keeps the room of a nominated pod from lower-priority pods while its victims terminate', async () => {
    const node = (
      await cluster.kubectl([
        'get',
        'nodes',
        '-o',
        'jsonpath={.items[1].metadata.name}',
      ])
    ).stdout;
    // Victims that ignore SIGTERM, so each goes only when its grace period ends.
    const stubborn = (name: string, cpu: string, grace: number) => ({
      ...pinnedPod(name, node),
      spec: {
        ...pinnedPod(name, node).spec,
        terminationGracePeriodSeconds: grace,
        containers: [
          {
            name: 'c',
            image: 'busybox',
            command: ['sh', '-c', "trap '' TERM; while true; do sleep 1; done"],
            resources: { requests: { cpu } },
          },
        ],
      },
    });
    const withCpu = (pod: any, cpu: string) => ({
      ...pod,
      spec: {
        ...pod.spec,
        containers: [
          { ...pod.spec.containers[0], resources: { requests: { cpu } } },
        ],
      },
    });
    for (const pod of [
      stubborn('first-victim', '4', 1),
      stubborn('last-victim', '3', 20),
    ]) {
      await cluster.kubectl(['create', '-f', '-'], JSON.stringify(pod));
    }
    await cluster.kubectl([
      '-n',
      NAMESPACE,
      'wait',
      '--for=condition=Ready',
      'pod/first-victim',
      'pod/last-victim',
      '--timeout=60s',
    ]);
    await cluster.kubectl(
      ['create', '-f', '-'],
      JSON.stringify(
        withCpu(pinnedPod('big', node, { priorityClassName: 'high' }), '7'),
      ),
    );
    const nominated = await cluster.kubectl([
      '-n',
      NAMESPACE,
      'wait',
      `--for=jsonpath={.status.nominatedNodeName}=${node}`,
      'pod/big',
      '--timeout=60s',
    ]);
    expect(nominated.code).toBe(0);
    await cluster.kubectl(
      ['create', '-f', '-'],
      JSON.stringify(withCpu(pinnedPod('latecomer', node), '3')),
    );
    const firstGone = await cluster.kubectl([
      '-n',
      NAMESPACE,
      'wait',
      '--for=delete',
      'pod/first-victim',
      '--timeout=60s',
    ]);
    expect(firstGone.code).toBe(0);
    const running = await cluster.kubectl([
      '-n',
      NAMESPACE,
      'wait',
      '--for=jsonpath={.status.phase}=Running',
      'pod/big',
      '--timeout=90s',
    ]);
    expect(running.code).toBe(0);
    const latecomer = JSON.parse(
      (
        await cluster.kubectl([
          '-n',
          NAMESPACE,
          'get',
          'pod',
          'latecomer',
          '-o',
          'json',
        ])
      ).stdout,
    );
    expect(latecomer.spec.nodeName).toBeUndefined();
    expect(latecomer.status.phase).toBe('Pending');
  });
});
