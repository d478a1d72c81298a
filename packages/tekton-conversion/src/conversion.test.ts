import { parse } from 'yaml';
import {
  ConversionRefused,
  convertTektonObject,
  TASK_DEPRECATIONS_ANNOTATION,
  TEKTON_V1_API_VERSION,
  TEKTON_V1BETA1_API_VERSION,
} from './conversion';

const BETA = TEKTON_V1BETA1_API_VERSION;
const V1 = TEKTON_V1_API_VERSION;

/** The refusal of converting `object` up to v1. */
function refusal(object: any): ConversionRefused {
  try {
    convertTektonObject(object, V1);
  } catch (e) {
    expect(e).toBeInstanceOf(ConversionRefused);
    return e as ConversionRefused;
  }
  throw new Error('converted without a refusal');
}

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
    expect(
      refusal({
        apiVersion: BETA,
        kind: 'Task',
        metadata: { name: 't' },
        spec: {
          resources: { inputs: [{ name: 'src', type: 'git' }] },
          steps: [{ name: 's', image: 'alpine' }],
        },
      }).message,
    ).toBe('must not set the field(s): spec.resources');
    expect(
      refusal({
        apiVersion: BETA,
        kind: 'Pipeline',
        metadata: { name: 'p' },
        spec: {
          resources: [{ name: 'src', type: 'git' }],
          tasks: [
            { name: 'a', taskRef: { name: 'x', bundle: 'registry/x:1' } },
            { name: 'b', taskRef: { name: 'y' }, resources: { inputs: [] } },
            { name: 'c', pipelineRef: { name: 'z', bundle: 'registry/z:1' } },
          ],
        },
      }).message,
    ).toBe(
      'must not set the field(s): spec.resources, spec.tasks[0].taskRef.bundle, spec.tasks[1].resources, spec.tasks[2].pipelineRef.bundle',
    );
    expect(
      refusal({
        apiVersion: BETA,
        kind: 'PipelineRun',
        metadata: { name: 'pr' },
        spec: { pipelineRef: { name: 'p', bundle: 'registry/p:1' } },
      }).message,
    ).toBe('must not set the field(s): spec.pipelineRef.bundle');
    expect(
      refusal({
        apiVersion: BETA,
        kind: 'TaskRun',
        metadata: { name: 'tr' },
        spec: { taskRef: { name: 't' }, resources: { inputs: [] } },
      }).message,
    ).toBe('must not set the field(s): spec.resources');
  });

  it('says for each refused field why and what to write instead', () => {
    const { refusals } = refusal({
      apiVersion: BETA,
      kind: 'TaskRun',
      metadata: { name: 'tr' },
      spec: {
        taskRef: { name: 'git-clone', bundle: 'ghcr.io/acme/git-clone:0.9' },
      },
    });
    expect(refusals).toEqual([
      {
        field: 'spec.taskRef.bundle',
        reason:
          'bundle was removed from Tekton (v0.61) and tekton.dev/v1 has no such field; refer to the Task with resolver: bundles and params bundle (the image), name and kind (Task)',
      },
    ]);
    expect(
      refusal({
        apiVersion: BETA,
        kind: 'PipelineRun',
        metadata: { name: 'pr' },
        spec: { pipelineRef: { name: 'p', bundle: 'registry/p:1' } },
      }).problems,
    ).toEqual([
      'spec.pipelineRef.bundle: bundle was removed from Tekton (v0.61) and tekton.dev/v1 has no such field; refer to the Pipeline with resolver: bundles and params bundle (the image), name and kind (Pipeline)',
    ]);
  });

  it("takes a Pipeline's empty list of PipelineResources, as Tekton does, and drops it", () => {
    const { v1, back } = roundTrip({
      apiVersion: BETA,
      kind: 'Pipeline',
      metadata: { name: 'p' },
      spec: { resources: [], tasks: [{ name: 'a', taskRef: { name: 'x' } }] },
    });
    expect(v1.spec).toEqual({ tasks: [{ name: 'a', taskRef: { name: 'x' } }] });
    expect(back.spec).toEqual(v1.spec);
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

describe('Tekton v1beta1 → v1: a Task as its API reference spells it', () => {
  // The v1beta1 shapes of Tekton's API reference (pipeline.tekton.dev/v1beta1).
  const v1beta1Task = parse(`
apiVersion: tekton.dev/v1beta1
kind: Task
metadata:
  name: build
  labels: {app.kubernetes.io/version: "0.3"}
spec:
  description: Builds the image.
  params:
    - name: image
      description: Where to push
    - name: flags
      type: array
      default: [--verbose]
    - name: target
      type: object
      properties: {os: {type: string}, arch: {type: string}}
      default: {os: linux, arch: amd64}
  results:
    - name: digest
      description: The image digest
    - name: tags
      type: array
    - name: ref
      type: object
      properties: {url: {type: string}, digest: {type: string}}
  workspaces:
    - name: source
      mountPath: /src
      readOnly: true
    - name: cache
      optional: true
  stepTemplate:
    name: template-name
    env: [{name: HOME, value: /tekton/home}]
    resources: {requests: {cpu: 100m}}
  steps:
    - name: build
      image: golang:1.23
      workingDir: $(workspaces.source.path)
      args: ["$(params.flags[*])"]
      resources:
        requests: {memory: 1Gi, cpu: "1"}
        limits: {memory: 2Gi}
      script: go build ./...
      onError: continue
    - name: serve
      image: nginx
      ports: [{containerPort: 8080}]
      livenessProbe: {httpGet: {path: /, port: 8080}}
      tty: true
  sidecars:
    - name: docker
      image: docker:dind
      resources: {limits: {cpu: "2"}}
`);

  it('renames the containers’ resources to computeResources and keeps params, results and workspaces as they are', () => {
    const converted = convertTektonObject(v1beta1Task, V1);
    expect(converted.apiVersion).toBe('tekton.dev/v1');
    expect(converted.spec.params).toEqual(v1beta1Task.spec.params);
    expect(converted.spec.results).toEqual(v1beta1Task.spec.results);
    expect(converted.spec.workspaces).toEqual(v1beta1Task.spec.workspaces);
    expect(converted.spec.description).toBe('Builds the image.');
    expect(converted.spec.steps[0]).toEqual({
      name: 'build',
      image: 'golang:1.23',
      workingDir: '$(workspaces.source.path)',
      args: ['$(params.flags[*])'],
      computeResources: {
        requests: { memory: '1Gi', cpu: '1' },
        limits: { memory: '2Gi' },
      },
      script: 'go build ./...',
      onError: 'continue',
    });
    expect(converted.spec.stepTemplate).toEqual({
      env: [{ name: 'HOME', value: '/tekton/home' }],
      computeResources: { requests: { cpu: '100m' } },
    });
    expect(converted.spec.sidecars).toEqual([
      {
        name: 'docker',
        image: 'docker:dind',
        computeResources: { limits: { cpu: '2' } },
      },
    ]);
  });

  it('keeps the Step fields v1 dropped in Tekton’s deprecations annotation, by Task name', () => {
    const converted = convertTektonObject(v1beta1Task, V1);
    expect(converted.spec.steps[1]).toEqual({ name: 'serve', image: 'nginx' });
    expect(converted.metadata).toEqual({
      name: 'build',
      labels: { 'app.kubernetes.io/version': '0.3' },
      annotations: { [TASK_DEPRECATIONS_ANNOTATION]: expect.any(String) },
    });
    expect(
      JSON.parse(converted.metadata.annotations[TASK_DEPRECATIONS_ANNOTATION]),
    ).toEqual({
      build: {
        deprecatedSteps: [
          {},
          {
            ports: [{ containerPort: 8080 }],
            livenessProbe: { httpGet: { path: '/', port: 8080 } },
            tty: true,
          },
        ],
        deprecatedStepTemplate: { name: 'template-name' },
      },
    });
  });

  it('leaves its input as it was', () => {
    const before = structuredClone(v1beta1Task);
    convertTektonObject(v1beta1Task, V1);
    expect(v1beta1Task).toEqual(before);
  });

  it('refuses PipelineResources, saying where and what to use instead, empty ones too as Tekton does', () => {
    const withResources = (resources: unknown) => ({
      ...v1beta1Task,
      spec: { ...v1beta1Task.spec, resources },
    });
    expect(
      refusal(
        withResources({
          inputs: [{ name: 'source', type: 'git' }],
          outputs: [{ name: 'image', type: 'image' }],
        }),
      ).refusals,
    ).toEqual([
      {
        field: 'spec.resources',
        reason:
          'PipelineResources were removed from Tekton (v0.50) and tekton.dev/v1 has no form of them; declare params for what the inputs gave (a git URL and revision, an image reference) and a workspace for files passed between tasks',
      },
    ]);
    // Tekton's webhook refuses a Task's resources whenever they are set.
    expect(refusal(withResources({ inputs: [], outputs: [] })).message).toBe(
      'must not set the field(s): spec.resources',
    );
  });
});

describe('Tekton v1beta1 → v1: a Pipeline as its API reference spells it', () => {
  const v1beta1Pipeline = parse(`
apiVersion: tekton.dev/v1beta1
kind: Pipeline
metadata:
  name: ci
spec:
  params:
    - name: repo-url
    - name: platforms
      type: array
      default: [linux/amd64, linux/arm64]
  workspaces:
    - name: shared
  results:
    - name: digest
      value: $(tasks.build.results.digest)
  tasks:
    - name: clone
      taskRef:
        resolver: bundles
        params:
          - {name: bundle, value: ghcr.io/tektoncd/catalog/upstream/tasks/git-clone:0.9}
          - {name: name, value: git-clone}
          - {name: kind, value: task}
      params: [{name: url, value: $(params.repo-url)}]
      workspaces: [{name: output, workspace: shared}]
    - name: build
      runAfter: [clone]
      taskRef: {name: kaniko, kind: Task}
      matrix:
        params: [{name: platform, value: "$(params.platforms[*])"}]
      workspaces: [{name: source, workspace: shared, subPath: src}]
    - name: remote
      taskRef:
        resolver: hub
        params: [{name: name, value: golang-test}, {name: version, value: "0.2"}]
  finally:
    - name: notify
      when: [{input: $(tasks.status), operator: in, values: [Failed]}]
      taskSpec:
        params: [{name: msg, default: failed}]
        steps:
          - name: send
            image: curlimages/curl
            resources: {limits: {memory: 64Mi}}
            stdin: true
            script: curl -d "$(params.msg)" https://chat.example
`);

  it('keeps resolver refs, matrix and workspaces and converts tasks and finally alike', () => {
    const converted = convertTektonObject(v1beta1Pipeline, V1);
    expect(converted.apiVersion).toBe('tekton.dev/v1');
    expect(converted.spec.tasks).toEqual(v1beta1Pipeline.spec.tasks);
    expect(converted.spec.params).toEqual(v1beta1Pipeline.spec.params);
    expect(converted.spec.workspaces).toEqual(v1beta1Pipeline.spec.workspaces);
    expect(converted.spec.results).toEqual(v1beta1Pipeline.spec.results);

    const [notify] = converted.spec.finally;
    expect(notify.when).toEqual(v1beta1Pipeline.spec.finally[0].when);
    expect(notify.taskSpec.steps).toEqual([
      {
        name: 'send',
        image: 'curlimages/curl',
        computeResources: { limits: { memory: '64Mi' } },
        script: 'curl -d "$(params.msg)" https://chat.example',
      },
    ]);
    // Keyed by the pipeline task, as Tekton keys an embedded Task's.
    expect(
      JSON.parse(converted.metadata.annotations[TASK_DEPRECATIONS_ANNOTATION]),
    ).toEqual({ notify: { deprecatedSteps: [{ stdin: true }] } });
  });

  it('refuses a taskRef bundle, as current Tekton does, saying how to write the bundles resolver ref', () => {
    const { refusals } = refusal({
      ...v1beta1Pipeline,
      spec: {
        tasks: [
          {
            name: 'clone',
            taskRef: {
              name: 'git-clone',
              bundle: 'ghcr.io/tektoncd/catalog/upstream/tasks/git-clone:0.9',
            },
          },
        ],
      },
    });
    expect(refusals).toEqual([
      {
        field: 'spec.tasks[0].taskRef.bundle',
        reason: expect.stringContaining(
          'resolver: bundles and params bundle (the image), name and kind (Task)',
        ),
      },
    ]);
  });

  it('refuses PipelineResources of the Pipeline, its tasks and their embedded Tasks, each by path', () => {
    const { refusals } = refusal({
      ...v1beta1Pipeline,
      spec: {
        ...v1beta1Pipeline.spec,
        resources: [{ name: 'repo', type: 'git' }],
        tasks: [
          {
            name: 'build',
            taskRef: { name: 'kaniko' },
            resources: { inputs: [{ name: 'source', resource: 'repo' }] },
          },
        ],
        finally: [
          {
            name: 'report',
            taskSpec: {
              resources: { inputs: [{ name: 'source', type: 'git' }] },
              steps: [{ name: 's', image: 'alpine' }],
            },
          },
        ],
      },
    });
    expect(refusals.map(r => r.field)).toEqual([
      'spec.resources',
      'spec.tasks[0].resources',
      'spec.finally[0].taskSpec.resources',
    ]);
    expect(refusals[1].reason).toContain(
      'PipelineResources were removed from Tekton (v0.50)',
    );
  });
});

describe('Tekton conversion: what it takes', () => {
  it('refuses other kinds and API versions', () => {
    expect(() =>
      convertTektonObject(
        { apiVersion: 'tekton.dev/v1alpha1', kind: 'Task' },
        V1,
      ),
    ).toThrow('cannot convert Task from tekton.dev/v1alpha1 to tekton.dev/v1');
    expect(() =>
      convertTektonObject({ apiVersion: BETA, kind: 'StepAction' }, V1),
    ).toThrow(
      'cannot convert StepAction from tekton.dev/v1beta1 to tekton.dev/v1',
    );
  });
});
