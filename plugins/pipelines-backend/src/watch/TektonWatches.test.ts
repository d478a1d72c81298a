import {
  ClusterAccess,
  ClusterWatches,
  getEntityScope,
} from '@cairn/plugin-kubernetes-node';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import {
  Condition,
  PipelineRun,
  TaskRun,
} from '@cairn/plugin-pipelines-common';
import { waitFor } from '@cairn/plugin-kubernetes-node/testUtils';
import { PipelineDefinitionsService } from '../service/PipelineDefinitionsService';
import { PipelineRunsService } from '../service/PipelineRunsService';
import { stripUnreadRunFields, TektonWatches } from './TektonWatches';

const metadata = {
  name: 'build-1',
  namespace: 'ci',
  uid: 'uid-1',
  resourceVersion: '42',
  labels: { 'backstage.io/kubernetes-id': 'shop' },
  annotations: {
    'cairn.dev/started-by': 'user:default/ada',
    'kubectl.kubernetes.io/last-applied-configuration': '{"big":"json"}',
  },
  managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
};

const conditions: Condition[] = [
  { type: 'Succeeded', status: 'True', reason: 'Succeeded', message: 'ok' },
];

describe('stripUnreadRunFields', () => {
  it("keeps what the portal reads of a PipelineRun, drops the server's bookkeeping, provenance and spanContext", () => {
    const run: PipelineRun = {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata,
      spec: {
        pipelineRef: { name: 'build' },
        params: [{ name: 'revision', value: 'main' }],
      },
      status: {
        conditions,
        startTime: '2026-01-01T00:00:00Z',
        completionTime: '2026-01-01T00:01:00Z',
        pipelineSpec: { tasks: [{ name: 'compile', taskRef: { name: 'c' } }] },
        childReferences: [
          { kind: 'TaskRun', name: 'build-1-compile', pipelineTaskName: 'c' },
        ],
        results: [{ name: 'digest', value: 'sha256:1' }],
        skippedTasks: [{ name: 'deploy', reason: 'When Expressions' }],
        provenance: { featureFlags: { enableAPIFields: 'beta' } },
        spanContext: { traceparent: '00-abc-def-01' },
      },
    };
    const original = structuredClone(run);

    expect(stripUnreadRunFields(run)).toEqual({
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: {
        name: 'build-1',
        namespace: 'ci',
        uid: 'uid-1',
        resourceVersion: '42',
        labels: { 'backstage.io/kubernetes-id': 'shop' },
        annotations: { 'cairn.dev/started-by': 'user:default/ada' },
      },
      spec: run.spec,
      status: {
        conditions,
        startTime: '2026-01-01T00:00:00Z',
        completionTime: '2026-01-01T00:01:00Z',
        pipelineSpec: run.status!.pipelineSpec,
        childReferences: run.status!.childReferences,
        results: run.status!.results,
        skippedTasks: run.status!.skippedTasks,
      },
    });
    // The object from the API is left as it came.
    expect(run).toEqual(original);
  });

  it("keeps a TaskRun's steps, results and pod, and drops its resolved taskSpec", () => {
    const steps = [
      {
        name: 'say',
        container: 'step-say',
        terminated: { exitCode: 0, reason: 'Completed' },
      },
    ];
    const taskRun: TaskRun = {
      kind: 'TaskRun',
      metadata: { ...metadata, name: 'build-1-compile' },
      spec: { taskRef: { name: 'compile' }, retries: 1 },
      status: {
        conditions,
        podName: 'build-1-compile-pod',
        steps,
        results: [{ name: 'digest', value: 'sha256:1' }],
        retriesStatus: [{ conditions }],
        taskSpec: { steps: [{ name: 'say', image: 'alpine', script: 'x' }] },
        provenance: { featureFlags: {} },
        spanContext: { traceparent: '00-abc-def-01' },
      },
    };

    const slim = stripUnreadRunFields(taskRun);
    expect(slim.metadata.managedFields).toBeUndefined();
    expect(slim.spec).toEqual(taskRun.spec);
    expect(slim.status).toEqual({
      conditions,
      podName: 'build-1-compile-pod',
      steps,
      results: [{ name: 'digest', value: 'sha256:1' }],
      retriesStatus: [{ conditions }],
    });
    expect(taskRun.status?.taskSpec).toBeDefined();
  });

  it('takes a run without a status (just created) as it is, less the bookkeeping', () => {
    const run: PipelineRun = {
      metadata: { name: 'new', namespace: 'ci', managedFields: [] },
      spec: { pipelineRef: { name: 'build' } },
    };
    expect(stripUnreadRunFields(run)).toEqual({
      metadata: { name: 'new', namespace: 'ci' },
      spec: { pipelineRef: { name: 'build' } },
    });
  });

  it('keeps one copy of the specs that runs repeat, frozen, and apart where they differ', () => {
    const pipelineSpec = () => ({
      tasks: [
        {
          name: 'compile',
          taskSpec: { steps: [{ name: 'make', image: 'gcc', script: 'make' }] },
        },
      ],
    });
    const run = (name: string, spec = pipelineSpec()): PipelineRun => ({
      kind: 'PipelineRun',
      metadata: { ...metadata, name },
      spec: { pipelineSpec: spec },
      status: { conditions, pipelineSpec: spec },
    });
    const taskRun = (name: string, script: string): TaskRun => ({
      kind: 'TaskRun',
      metadata: { ...metadata, name },
      spec: { taskSpec: { steps: [{ name: 'make', image: 'gcc', script }] } },
    });
    const changed = pipelineSpec();
    changed.tasks[0].taskSpec.steps[0].script = 'make check';

    const [a, b, c] = [run('a'), run('b'), run('c', changed)].map(
      stripUnreadRunFields,
    );
    expect(b.status!.pipelineSpec).toBe(a.status!.pipelineSpec);
    expect(b.spec.pipelineSpec).toBe(a.status!.pipelineSpec);
    expect(c.status!.pipelineSpec).not.toBe(a.status!.pipelineSpec);
    expect(c.status!.pipelineSpec).toEqual(changed);
    expect(Object.isFrozen(a.status!.pipelineSpec!.tasks![0])).toBe(true);
    // The rest of the run stays the reader's own.
    expect(Object.isFrozen(a.status)).toBe(false);

    const [x, y, z] = [
      taskRun('x', 'make'),
      taskRun('y', 'make'),
      taskRun('z', 'make -j2'),
    ].map(stripUnreadRunFields);
    expect(y.spec.taskSpec).toBe(x.spec.taskSpec);
    expect(z.spec.taskSpec).not.toBe(x.spec.taskSpec);
  });
});

const ROOT = path.resolve(__dirname, '../../../..');

/** The dev cluster processes the tests started, killed after them whatever happened. */
const children = new Set<ChildProcess>();

function kill(child: ChildProcess): Promise<void> {
  return new Promise<void>(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/**
 * The dev cluster as `scripts/dev-cluster` runs it, in a process of its own
 * so the test can kill it as a crash would.
 */
async function spawnDevCluster(stateDir: string, port = 0) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--require',
      path.join(ROOT, 'node_modules/@backstage/cli/config/nodeTransform.cjs'),
      path.join(ROOT, 'packages/dev-cluster/src/bin/devCluster.ts'),
      `--state-dir=${stateDir}`,
      `--kubeconfig=${path.join(stateDir, 'kubeconfig')}`,
      `--port=${port}`,
      `--persist=${path.join(stateDir, 'objects.json')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', chunk => {
      stderr += chunk;
      const served = /dev-cluster serving at (\S+);/.exec(stderr);
      if (served) resolve(served[1]);
    });
    child.on('exit', code =>
      reject(new Error(`dev cluster exited with ${code}: ${stderr}`)),
    );
  });
  const admin = new KubeConfig();
  admin.loadFromString(readFileSync(path.join(stateDir, 'kubeconfig'), 'utf8'));
  return {
    url,
    admin,
    kill: () => kill(child),
  };
}

describe('TektonWatches when the cluster goes away', () => {
  jest.setTimeout(120_000);

  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'tekton-watches-'));
  let cluster: Awaited<ReturnType<typeof spawnDevCluster>> | undefined;
  let shared: ClusterWatches | undefined;

  afterAll(async () => {
    await shared?.stop();
    await Promise.all([...children].map(kill));
    rmSync(stateDir, { recursive: true, force: true });
  });

  const heldRun = (name: string) => ({
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: {
      name,
      namespace: 'ci',
      labels: { 'backstage.io/kubernetes-id': 'shop' },
    },
    spec: {
      status: 'PipelineRunPending',
      pipelineSpec: {
        tasks: [
          {
            name: 'hello',
            taskSpec: { steps: [{ name: 'echo', image: 'busybox' }] },
          },
        ],
      },
    },
  });

  it('reports the unreachable cluster, since when and why, with its last known runs, until it is back', async () => {
    cluster = await spawnDevCluster(stateDir);
    const { admin } = cluster;
    const custom = admin.makeApiClient(CustomObjectsApi);
    // A killed dev cluster may not have saved its last writes: the
    // namespace is made again if it is gone after the restart.
    const createNamespace = () =>
      admin
        .makeApiClient(CoreV1Api)
        .createNamespace({ body: { metadata: { name: 'ci' } } })
        .catch(error => {
          if (error.code !== 409) throw error;
        });
    await createNamespace();
    const create = (name: string) =>
      custom.createNamespacedCustomObject({
        group: 'tekton.dev',
        version: 'v1',
        plural: 'pipelineruns',
        namespace: 'ci',
        body: heldRun(name),
      });
    await create('before');

    const clusters = new ClusterAccess([
      {
        name: 'dev',
        url: cluster.url,
        skipTLSVerify: false,
        kubeConfig: admin,
      },
    ]);
    shared = new ClusterWatches({
      clusters,
      logger: mockServices.logger.mock(),
      cacheOptions: { backoffMs: { initial: 50, max: 200 } },
    });
    const watches = new TektonWatches({ watches: shared });
    watches.start();
    const service = new PipelineRunsService({ clusters, watches });
    const scope = getEntityScope({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'shop',
        annotations: { 'backstage.io/kubernetes-id': 'shop' },
      },
    });
    const listRuns = () =>
      service.listRuns([scope], { sort: 'name', order: 'asc', limit: 10 });
    const names = (page: { items: Array<{ name: string }> }) =>
      page.items.map(r => r.name).join();

    const definitions = new PipelineDefinitionsService({ clusters, watches });
    const listTasks = () => definitions.listTasks(scope, 'dev', 'ci');

    const live = await waitFor(listRuns, p => names(p) === 'before', 'the run');
    expect(live.clusterErrors).toEqual([]);
    expect((await listTasks()).clusterErrors).toEqual([]);
    expect(watches.staleness('dev')).toBeUndefined();

    const stoppedAt = new Date();
    const port = Number(new URL(cluster.url).port);
    await cluster.kill();

    const down = await waitFor(
      listRuns,
      p => p.clusterErrors.length > 0,
      'the stopped cluster to be reported',
    );
    // The runs are still there, as they were last known, and said to be so.
    expect(names(down)).toBe('before');
    expect(down.clusterErrors).toEqual([
      {
        cluster: 'dev',
        message: expect.stringContaining('cannot reach cluster "dev"'),
        unreachableSince: expect.any(String),
      },
    ]);
    const since = Date.parse(down.clusterErrors[0].unreachableSince!);
    expect(since).toBeGreaterThanOrEqual(stoppedAt.getTime());
    expect(since).toBeLessThanOrEqual(Date.now());
    // Every response that used the cluster says so.
    const detail = await service.getRun(scope, 'dev', 'ci', 'before');
    expect(detail.clusterErrors).toEqual(down.clusterErrors);
    expect((await service.listPipelines([scope])).clusterErrors).toEqual(
      down.clusterErrors,
    );
    // The builder's Tasks list too, once its own watch has lost the cluster.
    const tasksDown = await waitFor(
      listTasks,
      t => t.clusterErrors.length > 0,
      'the Tasks list to report the stopped cluster',
    );
    expect(tasksDown.clusterErrors).toEqual([
      {
        cluster: 'dev',
        message: expect.stringContaining('cannot reach cluster "dev"'),
        unreachableSince: expect.any(String),
      },
    ]);
    // The time is when the cluster was lost, not of the latest retry.
    const later = await waitFor(
      () => watches.staleness('dev'),
      e => e?.message !== undefined,
      'a retry',
    );
    expect(later?.unreachableSince).toBe(
      down.clusterErrors[0].unreachableSince,
    );

    // Back on the same address, with the same CA (from its state folder).
    cluster = await spawnDevCluster(stateDir, port);
    await createNamespace();
    await create('after');
    const back = await waitFor(
      listRuns,
      p => names(p).includes('after') && p.clusterErrors.length === 0,
      'the cluster to be followed again',
    );
    expect(back.clusterErrors).toEqual([]);
    expect(
      (await service.getRun(scope, 'dev', 'ci', 'after')).clusterErrors,
    ).toEqual([]);
    await waitFor(
      listTasks,
      t => t.clusterErrors.length === 0,
      'the Tasks list to be live again',
    );
  });
});
