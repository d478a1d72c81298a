import { existsSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { readPipelineCorpus } from '../builder/__testUtils__/pipelineCorpus';
import { parsePipelineYaml } from '../builder/document';
import {
  convertV1beta1PipelineYaml,
  convertV1beta1ToV1,
  TASK_DEPRECATIONS_ANNOTATION,
  V1beta1ConversionError,
} from './v1beta1';

type Json = Record<string, any>;

const refusal = (object: Json): string[] => {
  try {
    convertV1beta1ToV1(object);
  } catch (e) {
    expect(e).toBeInstanceOf(V1beta1ConversionError);
    return (e as V1beta1ConversionError).problems;
  }
  throw new Error('converted without a refusal');
};

describe('convertV1beta1ToV1: a Task', () => {
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
    const converted = convertV1beta1ToV1(v1beta1Task);
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
    const converted = convertV1beta1ToV1(v1beta1Task);
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
    convertV1beta1ToV1(v1beta1Task);
    expect(v1beta1Task).toEqual(before);
  });

  it('refuses PipelineResources, saying where and what to use instead', () => {
    expect(
      refusal({
        ...v1beta1Task,
        spec: {
          ...v1beta1Task.spec,
          resources: {
            inputs: [{ name: 'source', type: 'git' }],
            outputs: [{ name: 'image', type: 'image' }],
          },
        },
      }),
    ).toEqual([
      'spec.resources: PipelineResources were removed from Tekton (v0.50) and tekton.dev/v1 has no form of them; declare params for what the inputs gave (a git URL and revision, an image reference) and a workspace for files passed between tasks',
    ]);
    // Empty ones say nothing and go.
    const empty = convertV1beta1ToV1({
      ...v1beta1Task,
      spec: { ...v1beta1Task.spec, resources: { inputs: [], outputs: [] } },
    });
    expect(empty.spec.resources).toBeUndefined();
  });
});

describe('convertV1beta1ToV1: a Pipeline', () => {
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
        name: git-clone
        bundle: ghcr.io/tektoncd/catalog/upstream/tasks/git-clone:0.9
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

  it('turns a taskRef bundle into the bundles resolver and converts tasks and finally alike', () => {
    const converted = convertV1beta1ToV1(v1beta1Pipeline);
    expect(converted.apiVersion).toBe('tekton.dev/v1');
    const [clone, build, remote] = converted.spec.tasks;
    expect(clone.taskRef).toEqual({
      resolver: 'bundles',
      params: [
        {
          name: 'bundle',
          value: 'ghcr.io/tektoncd/catalog/upstream/tasks/git-clone:0.9',
        },
        { name: 'name', value: 'git-clone' },
        { name: 'kind', value: 'Task' },
      ],
    });
    expect(clone.workspaces).toEqual([{ name: 'output', workspace: 'shared' }]);
    expect(build).toEqual(v1beta1Pipeline.spec.tasks[1]);
    expect(remote).toEqual(v1beta1Pipeline.spec.tasks[2]);
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

  it('refuses PipelineResources of the Pipeline, its tasks and their embedded Tasks, each by path', () => {
    const problems = refusal({
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
    expect(problems.map(p => p.split(':')[0])).toEqual([
      'spec.resources',
      'spec.tasks[0].resources',
      'spec.finally[0].taskSpec.resources',
    ]);
    expect(problems[1]).toContain(
      'PipelineResources were removed from Tekton (v0.50)',
    );
  });
});

describe('convertV1beta1PipelineYaml: the builder’s text', () => {
  it('gives a v1beta1 Pipeline’s v1 YAML, which the builder parses', () => {
    const converted = convertV1beta1PipelineYaml(
      [
        'apiVersion: tekton.dev/v1beta1',
        'kind: Pipeline',
        'metadata:',
        '  name: ci',
        'spec:',
        '  tasks:',
        '    - name: clone',
        '      taskRef:',
        '        name: git-clone',
        '        bundle: ghcr.io/acme/tasks/git-clone:0.9',
        '',
      ].join('\n'),
    );
    expect(converted).toEqual({ yaml: expect.any(String) });
    const { yaml } = converted as { yaml: string };
    expect(parsePipelineYaml(yaml).problems).toEqual([]);
    expect(parse(yaml).spec.tasks[0].taskRef.resolver).toBe('bundles');
  });

  it('says why a Pipeline with PipelineResources does not convert', () => {
    expect(
      convertV1beta1PipelineYaml(
        'apiVersion: tekton.dev/v1beta1\nkind: Pipeline\nmetadata: {name: ci}\nspec:\n  resources: [{name: repo, type: git}]\n  tasks: []\n',
      ),
    ).toEqual({
      problems: [expect.stringMatching(/^spec.resources: PipelineResources/)],
    });
  });

  it('leaves other text to the builder’s parse', () => {
    expect(
      convertV1beta1PipelineYaml(
        'apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: ci}\nspec: {tasks: []}\n',
      ),
    ).toBeUndefined();
    expect(
      convertV1beta1PipelineYaml(
        'apiVersion: tekton.dev/v1beta1\nkind: Task\n',
      ),
    ).toBeUndefined();
    expect(convertV1beta1PipelineYaml('a: [')).toBeUndefined();
  });
});

describe('convertV1beta1ToV1: what it takes', () => {
  it('returns a v1 object as it is', () => {
    const v1 = {
      apiVersion: 'tekton.dev/v1',
      kind: 'Task',
      metadata: { name: 't' },
      spec: { steps: [{ name: 's', image: 'alpine', computeResources: {} }] },
    };
    expect(convertV1beta1ToV1(v1)).toBe(v1);
  });

  it('refuses other kinds and API versions', () => {
    expect(
      refusal({ apiVersion: 'tekton.dev/v1alpha1', kind: 'Task' }),
    ).toEqual([
      'apiVersion: Task "" is "tekton.dev/v1alpha1"; only tekton.dev/v1beta1 converts to tekton.dev/v1',
    ]);
    expect(
      refusal({ apiVersion: 'tekton.dev/v1beta1', kind: 'StepAction' }),
    ).toEqual([
      'kind: "StepAction" does not convert here; Tasks and Pipelines do',
    ]);
  });
});

/*
 * Round trips over Pipelines we did not write: Tekton's own examples
 * (shared/tekton-pipelines beside the repository, read in place, all v1)
 * and the builder's corpus. Each Pipeline and Task, written in its v1beta1
 * form as Tekton's API reference spells it (`resources` for the containers'
 * requirements, a bundle for a bundles resolver ref), converts back to
 * exactly the v1 object it came from.
 */
const tektonExamplesDir = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  '..',
  'shared',
  'tekton-pipelines',
);
const corpus = [
  ...readPipelineCorpus(
    join(__dirname, '..', 'builder', '__fixtures__', 'corpus'),
  ),
  ...readPipelineCorpus(tektonExamplesDir),
];

/** The documented v1beta1 spelling of a v1 Task or Pipeline. */
function asV1beta1(object: Json): Json {
  const beta = structuredClone(object);
  beta.apiVersion = 'tekton.dev/v1beta1';
  const containers = (spec: Json | undefined) => {
    for (const c of [
      ...(spec?.steps ?? []),
      ...(spec?.sidecars ?? []),
      ...(spec?.stepTemplate ? [spec.stepTemplate] : []),
    ]) {
      if ('computeResources' in c) {
        c.resources = c.computeResources;
        delete c.computeResources;
      }
    }
  };
  if (beta.kind === 'Task') containers(beta.spec);
  for (const task of [
    ...(beta.spec?.tasks ?? []),
    ...(beta.spec?.finally ?? []),
  ]) {
    containers(task.taskSpec);
    const ref = task.taskRef;
    const param = (name: string) =>
      ref?.params?.find((p: Json) => p.name === name)?.value;
    // The ref Tekton makes of a bundle; other bundles refs (kind `task`)
    // are v1beta1 as they are, resolvers being in both versions.
    if (
      ref?.resolver === 'bundles' &&
      ref.params.length === 3 &&
      param('kind') === 'Task'
    ) {
      task.taskRef = { name: param('name'), bundle: param('bundle') };
    }
  }
  return beta;
}

it('has Pipelines of Tekton’s examples to round-trip', () => {
  if (!existsSync(tektonExamplesDir)) {
    const missing = `Tekton's examples are not at ${tektonExamplesDir}`;
    // CI must test them; elsewhere a missing checkout is only reported.
    if (process.env.CI) throw new Error(missing);
    process.emitWarning(missing);
    return;
  }
  expect(corpus.length).toBeGreaterThan(70);
});

describe.each(corpus)('$file', ({ text, tasks }) => {
  const pipeline = parse(text);

  it('converts from its v1beta1 form back to itself, its Tasks too', () => {
    expect(convertV1beta1ToV1(asV1beta1(pipeline))).toEqual(pipeline);
    for (const task of tasks) {
      expect(convertV1beta1ToV1(asV1beta1(task))).toEqual(task);
    }
  });
});
