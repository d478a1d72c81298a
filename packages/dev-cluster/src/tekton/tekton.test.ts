import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { DevCluster, startDevCluster } from '../server/devCluster';
import { installTekton, TektonInstallation } from './index';
import type { PipelineRun, TaskRun } from './types';

/*
 * Tekton docs-style examples run on a real dev cluster, to the outcome the
 * docs describe. Waits are for conditions, with generous bounds.
 */

jest.setTimeout(120_000);

const group = 'tekton.dev';
const version = 'v1';

describe('Tekton in the dev cluster', () => {
  let stateDir: string;
  let cluster: DevCluster;
  let tekton: TektonInstallation;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  let counter = 0;
  const namespace = 'default';

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'tekton-test-'));
    cluster = await startDevCluster({ stateDir, port: 0 });
    tekton = await installTekton(cluster, {
      claimsDir: path.join(stateDir, 'claims'),
    });
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
  });

  afterAll(async () => {
    await tekton?.stop();
    await cluster?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function create(plural: string, body: object): Promise<any> {
    return custom.createNamespacedCustomObject({
      group,
      version,
      plural,
      namespace,
      body,
    });
  }

  async function get<T>(plural: string, name: string): Promise<T> {
    return (await custom.getNamespacedCustomObject({
      group,
      version,
      plural,
      namespace,
      name,
    })) as T;
  }

  async function waitFor<T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    what: string,
  ): Promise<T> {
    const deadline = Date.now() + 60_000;
    let last: T | undefined;
    while (Date.now() < deadline) {
      last = await read();
      if (done(last)) return last;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last, null, 2)}`);
  }

  const finished = (o: { status?: { conditions?: any[] } }) =>
    o.status?.conditions?.some(c => c.type === 'Succeeded' && c.status !== 'Unknown') ?? false;

  async function runPipeline(spec: object, extra: object = {}): Promise<PipelineRun> {
    const name = `run-${++counter}`;
    await create('pipelineruns', {
      apiVersion: `${group}/${version}`,
      kind: 'PipelineRun',
      metadata: { name, labels: { 'backstage.io/kubernetes-id': 'demo' } },
      spec: { pipelineSpec: spec, ...extra },
    });
    return waitFor(() => get<PipelineRun>('pipelineruns', name), finished, `PipelineRun ${name}`);
  }

  function condition(o: { status?: { conditions?: any[] } }) {
    const c = o.status!.conditions!.find(x => x.type === 'Succeeded');
    return { status: c.status, reason: c.reason, message: c.message };
  }

  it('passes results between tasks and into pipeline results', async () => {
    await create('tasks', {
      apiVersion: `${group}/${version}`,
      kind: 'Task',
      metadata: { name: 'add' },
      spec: {
        params: [{ name: 'first' }, { name: 'second' }],
        results: [{ name: 'sum' }],
        steps: [
          {
            name: 'add',
            image: 'alpine',
            script: '#!/bin/sh\necho -n `expr $(params.first) + $(params.second)` > $(results.sum.path)\n',
          },
        ],
      },
    });
    const run = await runPipeline({
      params: [{ name: 'a', default: '1' }, { name: 'b' }],
      results: [{ name: 'total', value: '$(tasks.second-add.results.sum)' }],
      tasks: [
        {
          name: 'first-add',
          taskRef: { name: 'add' },
          params: [
            { name: 'first', value: '$(params.a)' },
            { name: 'second', value: '$(params.b)' },
          ],
        },
        {
          name: 'second-add',
          taskRef: { name: 'add' },
          params: [
            { name: 'first', value: '$(tasks.first-add.results.sum)' },
            { name: 'second', value: '10' },
          ],
        },
      ],
    }, { params: [{ name: 'b', value: '2' }] });
    expect(condition(run)).toEqual({
      status: 'True',
      reason: 'Succeeded',
      message: 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0',
    });
    expect(run.status!.results).toEqual([{ name: 'total', value: '13' }]);
    expect(run.status!.childReferences!.map(c => c.pipelineTaskName)).toEqual(['first-add', 'second-add']);
    const taskRun = await get<TaskRun>('taskruns', run.status!.childReferences![0].name);
    expect(taskRun.metadata.labels).toMatchObject({
      'tekton.dev/pipelineRun': run.metadata.name,
      'tekton.dev/pipelineTask': 'first-add',
      'tekton.dev/task': 'add',
      'app.kubernetes.io/managed-by': 'tekton-pipelines',
      'backstage.io/kubernetes-id': 'demo',
    });
    expect(taskRun.status!.results).toEqual([{ name: 'sum', type: 'string', value: '3' }]);
    expect(taskRun.status!.steps).toEqual([
      expect.objectContaining({ name: 'add', container: 'step-add', terminated: expect.objectContaining({ exitCode: 0 }) }),
    ]);
    const pod = await core.readNamespacedPod({ namespace, name: taskRun.status!.podName! });
    expect(pod.metadata!.name).toBe(`${taskRun.metadata.name}-pod`);
    expect(pod.metadata!.labels).toMatchObject({
      'tekton.dev/taskRun': taskRun.metadata.name,
      'tekton.dev/pipelineRun': run.metadata.name,
      'backstage.io/kubernetes-id': 'demo',
    });
  });
});
