import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { startTestCluster, TestCluster } from '../server/testing';

/*
 * v1beta1 Tasks, Pipelines and runs on the dev cluster, as on a Tekton
 * cluster: served at v1beta1 and v1, stored at v1, converted both ways.
 */

jest.setTimeout(120_000);

const group = 'tekton.dev';
const namespace = 'default';

describe('Tekton v1beta1 in the dev cluster', () => {
  let cluster: TestCluster;
  let kc: KubeConfig;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    cluster = await startTestCluster();
    kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    custom = kc.makeApiClient(CustomObjectsApi);
  });

  afterAll(async () => {
    await cluster?.dispose();
  });

  /** kubectl's output; a failure fails the test with kubectl's message. */
  const kubectl = async (args: string[], input?: string) => {
    const { stdout, stderr, code } = await cluster.kubectl(args, input);
    if (code !== 0) throw new Error(stderr);
    return stdout;
  };

  const read = (version: string, plural: string, name: string) =>
    custom.getNamespacedCustomObject({
      group,
      version,
      plural,
      namespace,
      name,
    }) as Promise<any>;

  const list = async (version: string, plural: string) =>
    (
      (await custom.listNamespacedCustomObject({
        group,
        version,
        plural,
        namespace,
      })) as any
    ).items;

  const limits = { limits: { memory: '256Mi' }, requests: { cpu: '50m' } };

  const betaTask = {
    apiVersion: 'tekton.dev/v1beta1',
    kind: 'Task',
    metadata: { name: 'greet' },
    spec: {
      params: [{ name: 'who', default: 'world' }],
      results: [{ name: 'greeting' }],
      stepTemplate: { resources: limits },
      steps: [
        {
          name: 'say',
          image: 'alpine',
          resources: limits,
          script:
            '#!/bin/sh\necho -n "hello $(params.who)" > $(results.greeting.path)\n',
        },
      ],
    },
  };

  it('applies a v1beta1 Task with kubectl and serves it at v1 and v1beta1', async () => {
    const manifest = JSON.stringify(betaTask);
    expect(await kubectl(['apply', '-f', '-'], manifest)).toContain(
      'task.tekton.dev/greet created',
    );

    const v1 = await read('v1', 'tasks', 'greet');
    expect(v1.apiVersion).toBe('tekton.dev/v1');
    expect(v1.spec.steps[0].computeResources).toEqual(limits);
    expect(v1.spec.steps[0]).not.toHaveProperty('resources');
    expect(v1.spec.stepTemplate).toEqual({ computeResources: limits });

    const beta = await read('v1beta1', 'tasks', 'greet');
    expect(beta.apiVersion).toBe('tekton.dev/v1beta1');
    expect(beta.spec).toEqual(betaTask.spec);
    expect(beta.metadata.resourceVersion).toBe(v1.metadata.resourceVersion);

    // kubectl prefers v1, as it does against Tekton.
    expect(
      await kubectl(['get', 'task', 'greet', '-o', 'jsonpath={.apiVersion}']),
    ).toBe('tekton.dev/v1');
    // A second apply of the same manifest changes nothing.
    expect(await kubectl(['apply', '-f', '-'], manifest)).toContain(
      'task.tekton.dev/greet unchanged',
    );

    expect((await list('v1', 'tasks')).map((t: any) => t.apiVersion)).toEqual([
      'tekton.dev/v1',
    ]);
    const betaItems = await list('v1beta1', 'tasks');
    expect(betaItems.map((t: any) => t.apiVersion)).toEqual([
      'tekton.dev/v1beta1',
    ]);
    expect(betaItems[0].spec.steps[0].resources).toEqual(limits);
  });

  it('patches at v1beta1 against the v1beta1 form and stores the result at v1', async () => {
    const patched = (await custom.patchNamespacedCustomObject(
      {
        group,
        version: 'v1beta1',
        plural: 'tasks',
        namespace,
        name: 'greet',
        body: [
          {
            op: 'replace',
            path: '/spec/steps/0/resources/limits/memory',
            value: '512Mi',
          },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    )) as any;
    expect(patched.apiVersion).toBe('tekton.dev/v1beta1');
    expect(patched.spec.steps[0].resources.limits.memory).toBe('512Mi');
    const v1 = await read('v1', 'tasks', 'greet');
    expect(v1.spec.steps[0].computeResources.limits.memory).toBe('512Mi');
    expect(v1.spec.steps[0]).not.toHaveProperty('resources');
  });

  it('server-side applies a v1beta1 Task, creating and then updating it', async () => {
    const task = (cpu: string) => ({
      apiVersion: 'tekton.dev/v1beta1',
      kind: 'Task',
      metadata: { name: 'applied' },
      spec: {
        steps: [
          {
            name: 's',
            image: 'alpine',
            script: 'true',
            resources: { limits: { cpu } },
          },
        ],
      },
    });
    await kubectl(
      ['apply', '--server-side', '-f', '-'],
      JSON.stringify(task('1')),
    );
    await kubectl(
      ['apply', '--server-side', '-f', '-'],
      JSON.stringify(task('2')),
    );
    const v1 = await read('v1', 'tasks', 'applied');
    expect(v1.spec.steps[0].computeResources).toEqual({ limits: { cpu: '2' } });
    const beta = await read('v1beta1', 'tasks', 'applied');
    expect(beta.spec).toEqual(task('2').spec);
  });

  it('sends watch events at v1beta1 for objects written at v1', async () => {
    const events: Array<{ type: string; object: any }> = [];
    let stop: AbortController | undefined;
    const seen = new Promise<void>((resolve, reject) => {
      new Watch(kc)
        .watch(
          `/apis/${group}/v1beta1/namespaces/${namespace}/tasks`,
          {},
          (type, object) => {
            events.push({ type, object });
            if (object.metadata.name === 'shout') resolve();
          },
          err => (err && err.name !== 'AbortError' ? reject(err) : undefined),
        )
        .then(controller => {
          stop = controller;
        }, reject);
    });
    await custom.createNamespacedCustomObject({
      group,
      version: 'v1',
      plural: 'tasks',
      namespace,
      body: {
        apiVersion: 'tekton.dev/v1',
        kind: 'Task',
        metadata: { name: 'shout' },
        spec: {
          steps: [{ name: 's', image: 'alpine', computeResources: limits }],
        },
      },
    });
    await seen;
    stop?.abort();
    const added = events.find(e => e.object.metadata.name === 'shout')!;
    expect(added.type).toBe('ADDED');
    expect(added.object.apiVersion).toBe('tekton.dev/v1beta1');
    expect(added.object.spec.steps[0]).toEqual({
      name: 's',
      image: 'alpine',
      resources: limits,
    });
  });

  it("refuses PipelineResources in Tekton's words", async () => {
    const attempt = custom.createNamespacedCustomObject({
      group,
      version: 'v1beta1',
      plural: 'tasks',
      namespace,
      body: {
        apiVersion: 'tekton.dev/v1beta1',
        kind: 'Task',
        metadata: { name: 'with-resources' },
        spec: {
          resources: { inputs: [{ name: 'source', type: 'git' }] },
          steps: [{ name: 's', image: 'alpine', script: 'true' }],
        },
      },
    });
    await expect(attempt).rejects.toMatchObject({
      code: 400,
      body: expect.stringContaining(
        'admission webhook \\"validation.webhook.pipeline.tekton.dev\\" denied the request: validation failed: must not set the field(s): spec.resources',
      ),
    });
  });

  it('runs a v1beta1 PipelineRun with serviceAccountName and timeout to Succeeded', async () => {
    await custom.createNamespacedCustomObject({
      group,
      version: 'v1beta1',
      plural: 'pipelines',
      namespace,
      body: {
        apiVersion: 'tekton.dev/v1beta1',
        kind: 'Pipeline',
        metadata: { name: 'greeting' },
        spec: {
          results: [{ name: 'said', value: '$(tasks.greet.results.greeting)' }],
          tasks: [
            {
              name: 'greet',
              taskRef: { name: 'greet' },
              params: [{ name: 'who', value: 'beta' }],
            },
          ],
        },
      },
    });
    await custom.createNamespacedCustomObject({
      group,
      version: 'v1beta1',
      plural: 'pipelineruns',
      namespace,
      body: {
        apiVersion: 'tekton.dev/v1beta1',
        kind: 'PipelineRun',
        metadata: { name: 'greeting-1' },
        spec: {
          pipelineRef: { name: 'greeting' },
          serviceAccountName: 'default',
          timeout: '10m0s',
        },
      },
    });
    const deadline = Date.now() + 60_000;
    let beta: any;
    for (;;) {
      beta = await read('v1beta1', 'pipelineruns', 'greeting-1');
      const done = beta.status?.conditions?.some(
        (c: any) => c.type === 'Succeeded' && c.status !== 'Unknown',
      );
      if (done || Date.now() > deadline) break;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    expect(beta.apiVersion).toBe('tekton.dev/v1beta1');
    expect(beta.status.conditions[0]).toMatchObject({
      type: 'Succeeded',
      status: 'True',
    });
    expect(beta.status.pipelineResults).toEqual([
      { name: 'said', value: 'hello beta' },
    ]);
    expect(beta.spec).toMatchObject({
      serviceAccountName: 'default',
      timeouts: { pipeline: '10m0s' },
    });

    const v1 = await read('v1', 'pipelineruns', 'greeting-1');
    expect(v1.spec.taskRunTemplate).toMatchObject({
      serviceAccountName: 'default',
    });
    expect(v1.spec.timeouts).toEqual({ pipeline: '10m0s' });
    expect(v1.spec).not.toHaveProperty('timeout');
    expect(v1.status.results).toEqual([{ name: 'said', value: 'hello beta' }]);

    const taskRunName = v1.status.childReferences[0].name;
    const taskRun = await read('v1beta1', 'taskruns', taskRunName);
    expect(taskRun.status.taskResults).toEqual([
      { name: 'greeting', type: 'string', value: 'hello beta' },
    ]);
    expect(taskRun.status).not.toHaveProperty('results');
  });
});
