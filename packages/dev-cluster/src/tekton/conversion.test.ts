import {
  ConversionRefused,
  convertTektonObject,
  TEKTON_BETA_API_VERSION,
} from './conversion';

const BETA = TEKTON_BETA_API_VERSION;
const V1 = 'tekton.dev/v1';

function roundTrip(object: any) {
  const v1 = convertTektonObject(object, V1);
  return { v1, back: convertTektonObject(v1, BETA) };
}

const limits = { limits: { memory: '1Gi' }, requests: { cpu: '100m' } };

describe('Tekton v1beta1 ⇄ v1 conversion', () => {
  it("renames steps', sidecars' and the stepTemplate's resources and round-trips a Task", () => {
    const task = {
      apiVersion: BETA,
      kind: 'Task',
      metadata: { name: 'build', namespace: 'ci', labels: { team: 'a' } },
      spec: {
        description: 'builds',
        params: [{ name: 'flags', type: 'array', default: ['-v'] }],
        results: [{ name: 'digest', description: 'image digest' }],
        workspaces: [{ name: 'source', mountPath: '/src' }],
        stepTemplate: { env: [{ name: 'A', value: '1' }], resources: limits },
        steps: [
          {
            name: 'compile',
            image: 'golang',
            resources: limits,
            script: 'go build',
            onError: 'continue',
          },
          { name: 'report', image: 'alpine', args: ['$(params.flags[*])'] },
        ],
        sidecars: [{ name: 'db', image: 'postgres', resources: limits }],
        volumes: [{ name: 'cache', emptyDir: {} }],
      },
    };
    const { v1, back } = roundTrip(task);
    expect(v1.apiVersion).toBe(V1);
    expect(v1.spec.steps[0]).toEqual({
      name: 'compile',
      image: 'golang',
      computeResources: limits,
      script: 'go build',
      onError: 'continue',
    });
    expect(v1.spec.steps[0]).not.toHaveProperty('resources');
    expect(v1.spec.stepTemplate.computeResources).toEqual(limits);
    expect(v1.spec.sidecars[0].computeResources).toEqual(limits);
    expect(v1.spec.volumes).toEqual(task.spec.volumes);
    expect(v1.metadata).toEqual(task.metadata);
    expect(back).toEqual(task);
    // The input is left as it was.
    expect(task.spec.steps[0].resources).toEqual(limits);
  });

  it('keeps v1beta1-only step fields in the task-deprecations annotation', () => {
    const task = {
      apiVersion: BETA,
      kind: 'Task',
      metadata: { name: 'old', annotations: { owner: 'me' } },
      spec: {
        stepTemplate: { name: 'template', tty: true },
        steps: [
          { name: 'a', image: 'alpine', ports: [{ containerPort: 80 }] },
          { name: 'b', image: 'alpine' },
        ],
      },
    };
    const { v1, back } = roundTrip(task);
    expect(v1.spec.steps[0]).toEqual({ name: 'a', image: 'alpine' });
    expect(v1.spec.stepTemplate).toEqual({});
    expect(
      JSON.parse(
        v1.metadata.annotations['tekton.dev/v1beta1.task-deprecations'],
      ),
    ).toEqual({
      old: {
        deprecatedSteps: [{ ports: [{ containerPort: 80 }] }, {}],
        deprecatedStepTemplate: { name: 'template', tty: true },
      },
    });
    expect(v1.metadata.annotations.owner).toBe('me');
    expect(back).toEqual(task);
  });

  it('converts a Pipeline: embedded taskSpecs, finally, when and resolver refs pass', () => {
    const pipeline = {
      apiVersion: BETA,
      kind: 'Pipeline',
      metadata: { name: 'ci' },
      spec: {
        params: [{ name: 'revision' }],
        workspaces: [{ name: 'shared' }],
        results: [{ name: 'sum', value: '$(tasks.add.results.sum)' }],
        tasks: [
          {
            name: 'add',
            taskRef: {
              resolver: 'git',
              params: [{ name: 'url', value: 'https://example.com/t.git' }],
            },
            when: [
              { input: '$(params.revision)', operator: 'in', values: ['main'] },
            ],
          },
          {
            name: 'inline',
            runAfter: ['add'],
            taskSpec: {
              metadata: { labels: { step: 'inline' } },
              steps: [
                { name: 's', image: 'alpine', resources: limits, tty: true },
              ],
            },
          },
        ],
        finally: [
          {
            name: 'cleanup',
            taskSpec: {
              sidecars: [{ name: 'x', image: 'busybox', resources: limits }],
            },
          },
        ],
      },
    };
    const { v1, back } = roundTrip(pipeline);
    expect(v1.spec.tasks[0]).toEqual(pipeline.spec.tasks[0]);
    expect(v1.spec.tasks[1].taskSpec).toEqual({
      metadata: { labels: { step: 'inline' } },
      steps: [{ name: 's', image: 'alpine', computeResources: limits }],
    });
    expect(v1.spec.finally[0].taskSpec.sidecars[0].computeResources).toEqual(
      limits,
    );
    expect(
      JSON.parse(
        v1.metadata.annotations['tekton.dev/v1beta1.task-deprecations'],
      ),
    ).toEqual({ inline: { deprecatedSteps: [{ tty: true }] } });
    expect(back).toEqual(pipeline);
  });

  it('converts a TaskRun: overrides ⇄ specs, status results, steps and cloud events', () => {
    const taskRun = {
      apiVersion: BETA,
      kind: 'TaskRun',
      metadata: { name: 'run-1' },
      spec: {
        serviceAccountName: 'builder',
        taskRef: { name: 'build', kind: 'Task' },
        params: [{ name: 'flags', value: ['-x'] }],
        stepOverrides: [{ name: 'compile', resources: limits }],
        sidecarOverrides: [{ name: 'db', resources: limits }],
        timeout: '10m',
      },
      status: {
        podName: 'run-1-pod',
        conditions: [
          { type: 'Succeeded', status: 'True', reason: 'Succeeded' },
        ],
        taskResults: [{ name: 'digest', type: 'string', value: 'sha256:1' }],
        steps: [
          {
            name: 'compile',
            container: 'step-compile',
            terminated: { exitCode: 0, reason: 'Completed' },
          },
        ],
        sidecars: [{ name: 'db', container: 'sidecar-db', running: {} }],
        cloudEvents: [{ target: 'http://sink', status: { condition: 'Sent' } }],
        taskSpec: {
          steps: [{ name: 'compile', image: 'golang', resources: limits }],
        },
        retriesStatus: [
          { taskResults: [{ name: 'digest', value: 'sha256:0' }] },
        ],
      },
    };
    const { v1, back } = roundTrip(taskRun);
    expect(v1.spec).toEqual({
      serviceAccountName: 'builder',
      taskRef: { name: 'build', kind: 'Task' },
      params: [{ name: 'flags', value: ['-x'] }],
      stepSpecs: [{ name: 'compile', computeResources: limits }],
      sidecarSpecs: [{ name: 'db', computeResources: limits }],
      timeout: '10m',
    });
    expect(v1.status.results).toEqual(taskRun.status.taskResults);
    expect(v1.status).not.toHaveProperty('taskResults');
    expect(v1.status).not.toHaveProperty('cloudEvents');
    expect(v1.status.steps[0].terminationReason).toBe('Completed');
    expect(v1.status.taskSpec.steps[0].computeResources).toEqual(limits);
    expect(v1.status.retriesStatus[0].results).toEqual([
      { name: 'digest', value: 'sha256:0' },
    ]);
    expect(back).toEqual(taskRun);
  });

  it('reads a TaskRun the controller wrote at v1 as v1beta1', () => {
    const written = {
      apiVersion: V1,
      kind: 'TaskRun',
      metadata: { name: 'run-2' },
      spec: { taskSpec: { steps: [{ name: 'a', image: 'alpine' }] } },
      status: {
        results: [{ name: 'out', type: 'string', value: 'x' }],
        steps: [
          {
            name: 'a',
            terminated: { exitCode: 1, reason: 'Error' },
            terminationReason: 'Error',
          },
        ],
      },
    };
    const beta = convertTektonObject(written, BETA);
    expect(beta.apiVersion).toBe(BETA);
    expect(beta.status).toEqual({
      taskResults: [{ name: 'out', type: 'string', value: 'x' }],
      steps: [{ name: 'a', terminated: { exitCode: 1, reason: 'Error' } }],
    });
    expect(beta.metadata).toEqual({ name: 'run-2' });
  });

  it('converts a PipelineRun: taskRunTemplate, timeouts, taskRunSpecs, embedded pipelineSpec, results', () => {
    const pipelineRun = {
      apiVersion: BETA,
      kind: 'PipelineRun',
      metadata: { name: 'pr-1' },
      spec: {
        pipelineSpec: {
          tasks: [
            {
              name: 't',
              taskSpec: {
                steps: [{ name: 's', image: 'alpine', resources: limits }],
              },
            },
          ],
        },
        params: [{ name: 'revision', value: 'main' }],
        serviceAccountName: 'runner',
        podTemplate: { nodeSelector: { disk: 'ssd' } },
        timeouts: { tasks: '5m' },
        taskRunSpecs: [
          {
            pipelineTaskName: 't',
            taskServiceAccountName: 'special',
            taskPodTemplate: { hostNetwork: true },
            stepOverrides: [{ name: 's', resources: limits }],
            metadata: { labels: { a: 'b' } },
          },
        ],
        workspaces: [{ name: 'shared', emptyDir: {} }],
      },
      status: {
        pipelineResults: [{ name: 'sum', value: '3' }],
        childReferences: [
          {
            apiVersion: V1,
            kind: 'TaskRun',
            name: 'pr-1-t',
            pipelineTaskName: 't',
          },
        ],
        pipelineSpec: { tasks: [{ name: 't', taskRef: { name: 'add' } }] },
      },
    };
    const { v1, back } = roundTrip(pipelineRun);
    expect(v1.spec.taskRunTemplate).toEqual({
      serviceAccountName: 'runner',
      podTemplate: { nodeSelector: { disk: 'ssd' } },
    });
    expect(v1.spec).not.toHaveProperty('serviceAccountName');
    expect(v1.spec).not.toHaveProperty('podTemplate');
    expect(v1.spec.taskRunSpecs[0]).toEqual({
      pipelineTaskName: 't',
      serviceAccountName: 'special',
      podTemplate: { hostNetwork: true },
      stepSpecs: [{ name: 's', computeResources: limits }],
      metadata: { labels: { a: 'b' } },
    });
    expect(
      v1.spec.pipelineSpec.tasks[0].taskSpec.steps[0].computeResources,
    ).toEqual(limits);
    expect(v1.status.results).toEqual([{ name: 'sum', value: '3' }]);
    expect(v1.status.childReferences).toEqual(
      pipelineRun.status.childReferences,
    );
    expect(back).toEqual(pipelineRun);
  });

  it("moves a PipelineRun's timeout to timeouts.pipeline, read back as timeouts as Tekton does", () => {
    const pipelineRun = {
      apiVersion: BETA,
      kind: 'PipelineRun',
      metadata: { name: 'pr-2' },
      spec: { pipelineRef: { name: 'ci' }, timeout: '1h0m0s' },
      status: { taskRuns: { 'pr-2-t': { pipelineTaskName: 't' } } },
    };
    const { v1, back } = roundTrip(pipelineRun);
    expect(v1.spec).toEqual({
      pipelineRef: { name: 'ci' },
      timeouts: { pipeline: '1h0m0s' },
    });
    // v1 has no embedded TaskRun statuses (childReferences replace them).
    expect(v1.status).toEqual({});
    expect(back.spec).toEqual({
      pipelineRef: { name: 'ci' },
      timeouts: { pipeline: '1h0m0s' },
    });
  });

  it("refuses PipelineResources and bundles in the words of Tekton's webhook", () => {
    const refused = (object: any) => {
      let error: unknown;
      try {
        convertTektonObject(object, V1);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConversionRefused);
      return (error as Error).message;
    };
    expect(
      refused({
        apiVersion: BETA,
        kind: 'Task',
        metadata: { name: 't' },
        spec: {
          resources: { inputs: [{ name: 'src', type: 'git' }] },
          steps: [{ name: 's', image: 'alpine' }],
        },
      }),
    ).toBe('must not set the field(s): spec.resources');
    expect(
      refused({
        apiVersion: BETA,
        kind: 'Pipeline',
        metadata: { name: 'p' },
        spec: {
          resources: [{ name: 'src', type: 'git' }],
          tasks: [
            { name: 'a', taskRef: { name: 'x', bundle: 'registry/x:1' } },
            { name: 'b', taskRef: { name: 'y' }, resources: { inputs: [] } },
          ],
        },
      }),
    ).toBe(
      'must not set the field(s): spec.resources, spec.tasks[0].taskRef.bundle, spec.tasks[1].resources',
    );
    expect(
      refused({
        apiVersion: BETA,
        kind: 'PipelineRun',
        metadata: { name: 'pr' },
        spec: { pipelineRef: { name: 'p', bundle: 'registry/p:1' } },
      }),
    ).toBe('must not set the field(s): spec.pipelineRef.bundle');
    expect(
      refused({
        apiVersion: BETA,
        kind: 'TaskRun',
        metadata: { name: 'tr' },
        spec: { taskRef: { name: 't' }, resources: { inputs: [] } },
      }),
    ).toBe('must not set the field(s): spec.resources');
  });

  it('returns an object already at the asked version as it is, and refuses other versions', () => {
    const task = {
      apiVersion: V1,
      kind: 'Task',
      metadata: { name: 't' },
      spec: {},
    };
    expect(convertTektonObject(task, V1)).toBe(task);
    expect(() => convertTektonObject(task, 'tekton.dev/v1alpha1')).toThrow(
      'cannot convert Task from tekton.dev/v1 to tekton.dev/v1alpha1',
    );
  });
});
