import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { issueClientCertificate } from '../pki/certificates';
import { buildKubeconfig } from '../pki/kubeconfig';
import { DevCluster, startDevCluster } from '../server/devCluster';
import type { RequestInfo } from '../server/requestInfo';
import { installTekton } from './index';
import { LABELS } from './labels';
import type { PipelineRun, TaskRun } from './types';

/*
 * The controller as an API client. It reconciles from informer caches, so
 * completing a run takes about the same requests whether the cluster holds
 * no other runs or hundreds of finished ones, and the finished ones are never
 * read or written again; and a cache that is behind never makes it create a
 * second TaskRun. The controller runs as its own user so the server can tell
 * its requests apart.
 */

jest.setTimeout(180_000);

const group = 'tekton.dev';
const version = 'v1';
const namespace = 'default';
const pipelineRunsApi = { group, version, namespace, plural: 'pipelineruns' };
const taskRunsApi = { group, version, namespace, plural: 'taskruns' };
const STEP = { name: 'build', image: 'alpine', script: 'true' };
/** A run of one task with one step, the TaskRun `<run>-build`. */
const ONE_TASK = { tasks: [{ name: 'build', taskSpec: { steps: [STEP] } }] };
const CONTROLLER_USER = 'tekton-pipelines-controller';
const FINISHED_RUNS = 500;

describe('the Tekton controller as an API client', () => {
  let stateDir: string;
  let cluster: DevCluster;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  let controllerConfig: KubeConfig;
  const controllerRequests: RequestInfo[] = [];
  /** The names of the runs completeRuns completed, their TaskRuns and pods. */
  const completed = new Set<string>();
  let counter = 0;

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'tekton-cost-test-'));
    cluster = await startDevCluster({ stateDir, port: 0, tekton: false });
    const pkiDir = path.join(stateDir, 'pki');
    const ca = {
      certPem: readFileSync(path.join(pkiDir, 'ca.crt'), 'utf8'),
      keyPem: readFileSync(path.join(pkiDir, 'ca.key'), 'utf8'),
    };
    const credentials = issueClientCertificate(ca, {
      commonName: CONTROLLER_USER,
      organizations: ['system:masters'],
    });
    controllerConfig = new KubeConfig();
    controllerConfig.loadFromString(
      buildKubeconfig({
        server: cluster.url,
        caCertPem: ca.certPem,
        clientCertPem: credentials.certPem,
        clientKeyPem: credentials.keyPem,
        userName: CONTROLLER_USER,
      }),
    );
    cluster.server.onRequest(({ user, info }) => {
      // Installing registers the CRDs and polls until they are established;
      // that is not reconciling.
      if (
        user.username === CONTROLLER_USER &&
        info.apiGroup !== 'apiextensions.k8s.io'
      )
        controllerRequests.push(info);
    });
    const admin = new KubeConfig();
    admin.loadFromString(cluster.kubeconfig);
    custom = admin.makeApiClient(CustomObjectsApi);
    core = admin.makeApiClient(CoreV1Api);
    // Registers the CRDs, so finished runs can be created with no controller running.
    await (await installTekton(controllerConfig)).stop();
  });

  afterAll(async () => {
    await cluster?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** The controller's requests from its start until `work` is done; it is stopped then. */
  async function requestsDuring(work: () => Promise<void>) {
    const from = controllerRequests.length;
    const tekton = await installTekton(controllerConfig, {
      claimsDir: path.join(stateDir, 'claims'),
    });
    try {
      await work();
    } finally {
      await tekton.stop();
    }
    return controllerRequests.slice(from);
  }

  const isListOrWatch = (r: RequestInfo) =>
    r.verb === 'list' || r.verb === 'watch';
  /** The informers' lists and watches, which a controller makes once when it starts. */
  const listsAndWatches = (requests: RequestInfo[]) =>
    requests
      .filter(isListOrWatch)
      .map(r => `${r.verb} ${r.resource}`)
      .sort();
  const reconcileRequests = (requests: RequestInfo[]) =>
    requests.filter(r => !isListOrWatch(r));

  const succeeded = (run: PipelineRun) =>
    run.status?.conditions?.some(
      c => c.type === 'Succeeded' && c.status === 'True',
    ) ?? false;

  async function until(
    condition: () => Promise<boolean> | boolean,
    what: () => string,
  ): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (!(await condition())) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what()}`);
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }

  async function untilSucceeded(name: string): Promise<PipelineRun> {
    let run: PipelineRun | undefined;
    await until(
      async () => {
        run = (await custom.getNamespacedCustomObject({
          ...pipelineRunsApi,
          name,
        })) as PipelineRun;
        return succeeded(run);
      },
      () => `PipelineRun ${name} to succeed: ${JSON.stringify(run?.status)}`,
    );
    return run!;
  }

  type Owned = {
    metadata?: {
      name?: string;
      uid?: string;
      ownerReferences?: Array<{ uid?: unknown }>;
    };
  };
  const ownedBy = (uid: string | undefined) => (o: Owned) =>
    o.metadata?.ownerReferences?.some(ref => ref.uid === uid) ?? false;

  function ownerReference(kind: string, object: Owned) {
    return {
      apiVersion: `${group}/${version}`,
      kind,
      name: object.metadata!.name!,
      uid: object.metadata!.uid!,
      controller: true,
      blockOwnerDeletion: true,
    };
  }

  async function completeRuns(count: number): Promise<void> {
    const names = Array.from({ length: count }, () => `run-${++counter}`);
    await Promise.all(
      names.map(name =>
        custom.createNamespacedCustomObject({
          ...pipelineRunsApi,
          body: {
            apiVersion: `${group}/${version}`,
            kind: 'PipelineRun',
            metadata: { name },
            spec: { pipelineSpec: ONE_TASK },
          },
        }),
      ),
    );
    for (const name of names) {
      await untilSucceeded(name);
      completed.add(name).add(`${name}-build`).add(`${name}-build-pod`);
    }
  }

  /** Creates PipelineRuns that finished long ago, each with its TaskRun, while no controller runs. */
  async function createFinishedRuns(count: number): Promise<Set<string>> {
    const names = new Set<string>();
    const done = {
      startTime: '2024-01-01T00:00:00Z',
      completionTime: '2024-01-01T00:01:00Z',
      conditions: [
        {
          type: 'Succeeded',
          status: 'True',
          reason: 'Succeeded',
          message: 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0',
          lastTransitionTime: '2024-01-01T00:01:00Z',
        },
      ],
    };
    const createFinished = async (
      api: typeof pipelineRunsApi,
      body: object,
    ) => {
      const created = (await custom.createNamespacedCustomObject({
        ...api,
        body,
      })) as Owned;
      await custom.replaceNamespacedCustomObjectStatus({
        ...api,
        name: created.metadata!.name!,
        body: { ...created, status: done },
      });
      return created;
    };
    const createOne = async (index: number) => {
      const name = `finished-${index}`;
      const run = await createFinished(pipelineRunsApi, {
        apiVersion: `${group}/${version}`,
        kind: 'PipelineRun',
        metadata: { name },
        spec: { pipelineSpec: ONE_TASK },
      });
      await createFinished(taskRunsApi, {
        apiVersion: `${group}/${version}`,
        kind: 'TaskRun',
        metadata: {
          name: `${name}-build`,
          labels: {
            [LABELS.pipelineRun]: name,
            [LABELS.pipelineTask]: 'build',
          },
          ownerReferences: [ownerReference('PipelineRun', run)],
        },
        spec: { taskSpec: { steps: [STEP] } },
      });
      names.add(name).add(`${name}-build`);
    };
    const BATCH = 50;
    for (let start = 0; start < count; start += BATCH) {
      await Promise.all(
        Array.from({ length: Math.min(BATCH, count - start) }, (_, i) =>
          createOne(start + i),
        ),
      );
    }
    return names;
  }

  it('completes a run among 500 finished ones with about the requests it takes alone, in proportion to the runs, and never touches the finished ones', async () => {
    const alone = await requestsDuring(() => completeRuns(1));
    const finished = await createFinishedRuns(FINISHED_RUNS);
    for (const name of completed) finished.add(name);
    const amongFinished = await requestsDuring(() => completeRuns(1));
    const fiveAmongFinished = await requestsDuring(() => completeRuns(5));

    /** How many requests named a finished run, TaskRun or pod, by verb and resource. */
    const touchingFinished = (requests: RequestInfo[]) => {
      const counts: Record<string, number> = {};
      for (const r of requests.filter(x => finished.has(x.name))) {
        const what = `${r.verb} ${r.resource}`;
        counts[what] = (counts[what] ?? 0) + 1;
      }
      return counts;
    };
    expect(touchingFinished(amongFinished)).toEqual({});
    expect(touchingFinished(fiveAmongFinished)).toEqual({});
    expect(listsAndWatches(amongFinished)).toEqual(listsAndWatches(alone));
    // The same work, give or take a write from a stale cache that lost to a
    // newer one (a conflict, retried).
    const perRun = reconcileRequests(alone).length;
    expect(perRun).toBeGreaterThan(0);
    expect(reconcileRequests(amongFinished).length).toBeLessThanOrEqual(
      perRun * 1.5,
    );
    expect(reconcileRequests(fiveAmongFinished).length).toBeLessThanOrEqual(
      5 * perRun * 1.5,
    );
  });

  it('takes a TaskRun that exists but is not in its cache yet as created, and runs on with it once it arrives', async () => {
    const name = 'stale-cache';
    // Pending, so no controller creates its TaskRun before the test does.
    const run = (await custom.createNamespacedCustomObject({
      ...pipelineRunsApi,
      body: {
        apiVersion: `${group}/${version}`,
        kind: 'PipelineRun',
        metadata: { name },
        spec: { status: 'PipelineRunPending', pipelineSpec: ONE_TASK },
      },
    })) as PipelineRun;
    // The TaskRun the run would create, but without the tekton.dev/pipelineRun
    // label the controller's index finds it by: as if its cache were behind.
    const taskRun = (await custom.createNamespacedCustomObject({
      ...taskRunsApi,
      body: {
        apiVersion: `${group}/${version}`,
        kind: 'TaskRun',
        metadata: {
          name: `${name}-build`,
          labels: { [LABELS.pipelineTask]: 'build' },
          ownerReferences: [ownerReference('PipelineRun', run)],
        },
        spec: { taskSpec: { steps: [STEP] } },
      },
    })) as TaskRun;
    const mergePatch = setHeaderOptions(
      'Content-Type',
      PatchStrategy.MergePatch,
    );

    let finished: PipelineRun | undefined;
    await requestsDuring(async () => {
      const from = controllerRequests.length;
      await custom.patchNamespacedCustomObject(
        { ...pipelineRunsApi, name, body: { spec: { status: null } } },
        mergePatch,
      );
      await until(
        () =>
          controllerRequests
            .slice(from)
            .some(r => r.verb === 'create' && r.resource === 'taskruns'),
        () => 'the controller to create the TaskRun',
      );
      await custom.patchNamespacedCustomObject(
        {
          ...taskRunsApi,
          name: taskRun.metadata.name!,
          body: { metadata: { labels: { [LABELS.pipelineRun]: name } } },
        },
        mergePatch,
      );
      finished = await untilSucceeded(name);
    });

    const taskRuns = (await custom.listNamespacedCustomObject(taskRunsApi)) as {
      items: TaskRun[];
    };
    expect(
      taskRuns.items
        .filter(ownedBy(run.metadata.uid))
        .map(tr => tr.metadata.uid),
    ).toEqual([taskRun.metadata.uid]);
    expect(finished!.status!.childReferences!.map(c => c.name)).toEqual([
      taskRun.metadata.name,
    ]);
    const pods = await core.listNamespacedPod({ namespace });
    expect(
      pods.items
        .filter(ownedBy(taskRun.metadata.uid))
        .map(p => p.metadata!.name),
    ).toEqual([`${taskRun.metadata.name}-pod`]);
  });
});
