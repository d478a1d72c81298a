import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { parseStat } from '../runtime/usage';
import { replicasForRatio } from './horizontalPodAutoscalers';
import { startTestCluster, TestCluster } from './testing';

/*
 * metrics.k8s.io from the containers' processes, kubectl top, and the
 * autoscaling/v2 HorizontalPodAutoscaler on them.
 */

jest.setTimeout(90_000);

const NS = 'metrics';

describe('parseStat and replicasForRatio', () => {
  it('reads the process group and CPU ticks of /proc/<pid>/stat, whatever the command name', () => {
    const stat =
      '4242 (sh -c (x) y) S 1 4240 4240 0 -1 4194560 120 0 0 0 37 5 0 0 20 0 1 0 100 2000000 300 18446744073709551615';
    expect(parseStat(stat)).toEqual({ pgrp: 4240, cpuTicks: 42 });
  });

  it('keeps the replica count within the 10% tolerance and rounds up otherwise', () => {
    expect(replicasForRatio(4, 1.05)).toBe(4);
    expect(replicasForRatio(4, 0.95)).toBe(4);
    expect(replicasForRatio(1, 3.1)).toBe(4);
    expect(replicasForRatio(4, 0.5)).toBe(2);
  });
});

describe('metrics and autoscaling on the dev cluster', () => {
  let cluster: TestCluster;
  let custom: CustomObjectsApi;

  const kubectl = (...args: string[]) => cluster.kubectl(['-n', NS, ...args]);
  const apply = (yaml: string) => cluster.kubectl(['apply', '-f', '-'], yaml);

  beforeAll(async () => {
    cluster = await startTestCluster({ tekton: false });
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    custom = kc.makeApiClient(CustomObjectsApi);
    await cluster.kubectl(['create', 'namespace', NS]);
    await apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: burn, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: burn}}
  template:
    metadata: {labels: {app: burn}}
    spec:
      containers:
      - name: main
        image: busybox
        command: [sh, -c, "while true; do :; done"]
        resources: {requests: {cpu: 10m}}
`);
    await kubectl('rollout', 'status', 'deploy/burn', '--timeout=60s');
  });

  afterAll(async () => {
    await cluster.dispose();
  });

  it('serves PodMetrics and NodeMetrics from the containers’ processes', async () => {
    const list: any = await custom.listNamespacedCustomObject({
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      namespace: NS,
      plural: 'pods',
    });
    expect(list.kind).toBe('PodMetricsList');
    expect(list.items).toHaveLength(1);
    const [pod] = list.items;
    expect(pod.metadata.labels).toMatchObject({ app: 'burn' });
    expect(pod.window).toMatch(/^\d+\.\d{3}s$/);
    const usage = pod.containers[0].usage;
    expect(usage.cpu).toMatch(/^\d+n$/);
    expect(usage.memory).toMatch(/^\d+Ki$/);
    // A busy loop uses CPU; its shell has resident memory.
    expect(parseInt(usage.cpu, 10)).toBeGreaterThan(0);
    expect(parseInt(usage.memory, 10)).toBeGreaterThan(0);

    const nodes: any = await custom.listClusterCustomObject({
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      plural: 'nodes',
    });
    expect(nodes.items).toHaveLength(18);
  });

  it('prints numbers for kubectl top pods and kubectl top nodes (every node)', async () => {
    const pods = await kubectl('top', 'pods');
    expect(pods.stderr).toBe('');
    const rows = pods.stdout.trim().split('\n');
    expect(rows[0].trim().split(/\s{2,}/)).toEqual([
      'NAME',
      'CPU(cores)',
      'MEMORY(bytes)',
    ]);
    expect(rows[1]).toMatch(/^burn-\S+\s+\d+m\s+\d+Mi\s*$/);

    const nodes = await cluster.kubectl(['top', 'nodes', '--no-headers']);
    const nodeRows = nodes.stdout.trim().split('\n');
    expect(nodeRows).toHaveLength(18);
    for (const row of nodeRows)
      expect(row).toMatch(/^node-\S+\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%\s*$/);
  });

  it('scales a Deployment on CPU utilization with an autoscaling/v2 HPA', async () => {
    await apply(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: burn, namespace: ${NS}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: burn}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
`);
    await kubectl(
      'wait',
      '--for=jsonpath={.spec.replicas}=3',
      'deploy/burn',
      '--timeout=30s',
    );
    const table = (await kubectl('get', 'hpa')).stdout.split('\n');
    expect(table[0].split(/\s{2,}/)).toEqual([
      'NAME',
      'REFERENCE',
      'TARGETS',
      'MINPODS',
      'MAXPODS',
      'REPLICAS',
      'AGE',
    ]);
    expect(table[1]).toMatch(
      /^burn\s+Deployment\/burn\s+cpu: \d+%\/80%\s+1\s+3\s+\d\s+\d+s$/,
    );
    const hpa = JSON.parse(
      (await kubectl('get', 'hpa', 'burn', '-o', 'json')).stdout,
    );
    expect(hpa.status.desiredReplicas).toBe(3);
    expect(hpa.status.currentMetrics[0].resource).toMatchObject({
      name: 'cpu',
      current: {
        averageUtilization: expect.any(Number),
        averageValue: expect.stringMatching(/^\d+m$/),
      },
    });
    expect(
      hpa.status.conditions.map((c: any) => [c.type, c.status, c.reason]),
    ).toContainEqual(['ScalingActive', 'True', 'ValidMetricFound']);
    const events = (
      await kubectl(
        'get',
        'events',
        '--field-selector',
        'involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale',
        '-o',
        'jsonpath={.items[0].message}',
      )
    ).stdout;
    expect(events).toBe(
      'New size: 3; reason: cpu resource utilization (percentage of request) above target',
    );
  });

  it('reports a missing CPU request as Kubernetes does', async () => {
    await apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: norequest, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: norequest}}
  template:
    metadata: {labels: {app: norequest}}
    spec:
      containers:
      - {name: main, image: busybox, command: [sleep, "3600"]}
`);
    await kubectl('rollout', 'status', 'deploy/norequest', '--timeout=60s');
    await apply(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: norequest, namespace: ${NS}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: norequest}
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
`);
    await kubectl(
      'wait',
      '--for=condition=ScalingActive=False',
      'hpa/norequest',
      '--timeout=30s',
    );
    expect((await kubectl('get', 'hpa', 'norequest')).stdout).toContain(
      'cpu: <unknown>/80%',
    );
    const message = (
      await kubectl(
        'get',
        'hpa',
        'norequest',
        '-o',
        'jsonpath={.status.conditions[?(@.type=="ScalingActive")].message}',
      )
    ).stdout;
    expect(message).toMatch(
      /^the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container main of Pod norequest-\S+$/,
    );
  });
});
