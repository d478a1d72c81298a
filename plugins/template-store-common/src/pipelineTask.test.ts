import { templatePipelineTask } from './pipelineTask';
import { TemplateVersionDetail } from './types';

const yaml = `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: git-clone
  labels:
    app.kubernetes.io/version: "0.9"
  annotations:
    tekton.dev/tags: git
spec:
  params:
    - name: url
    - name: revision
      default: main
    - name: flags
      type: array
      default: ["--depth", "1"]
  steps:
    - name: clone
      image: alpine/git
      script: git clone $(params.url)
`;

const version: TemplateVersionDetail = {
  kind: 'Task',
  name: 'git-clone',
  version: '0.9',
  apiVersion: 'tekton.dev/v1',
  digest: `sha256:${'b'.repeat(64)}`,
  deprecated: false,
  createdBy: 'user:default/pia',
  createdAt: '2026-12-07T10:00:00.000Z',
  yaml,
  docs: {
    kind: 'Task',
    apiVersion: 'tekton.dev/v1',
    name: 'git-clone',
    categories: [],
    tags: ['git'],
    platforms: [],
    params: [
      { name: 'url', type: 'string' },
      { name: 'revision', type: 'string', default: 'main' },
      { name: 'flags', type: 'array', default: '["--depth","1"]' },
    ],
    results: [],
    workspaces: [],
  },
};

describe('templatePipelineTask', () => {
  const params = [
    { name: 'url', value: '' },
    { name: 'revision', value: 'main' },
    { name: 'flags', value: ['--depth', '1'] },
  ];

  it('refers to the installed Task, with params pre-filled from their defaults', () => {
    expect(templatePipelineTask(version, 'ref')).toEqual({
      name: 'git-clone',
      taskRef: { name: 'git-clone' },
      params,
    });
  });

  it('embeds the Task as a taskSpec whose metadata names the template', () => {
    expect(templatePipelineTask(version, 'spec')).toEqual({
      name: 'git-clone',
      taskSpec: {
        metadata: {
          annotations: {
            'cairn.dev/template': 'Task/git-clone',
            'cairn.dev/template-version': '0.9',
            'cairn.dev/template-digest': version.digest,
          },
        },
        params: [
          { name: 'url' },
          { name: 'revision', default: 'main' },
          { name: 'flags', type: 'array', default: ['--depth', '1'] },
        ],
        steps: [
          {
            name: 'clone',
            image: 'alpine/git',
            script: 'git clone $(params.url)',
          },
        ],
      },
      params,
    });
  });

  // A v1beta1 Task of the store, as Tekton's API reference spells it.
  const beta = (spec: string): TemplateVersionDetail => ({
    ...version,
    apiVersion: 'tekton.dev/v1beta1',
    yaml: `apiVersion: tekton.dev/v1beta1
kind: Task
metadata:
  name: git-clone
spec:
${spec}`,
  });

  it('embeds a v1beta1 Task converted to v1 as Tekton converts it', () => {
    const task = templatePipelineTask(
      beta(`  params:
    - name: url
  workspaces:
    - name: output
  results:
    - name: commit
  steps:
    - name: clone
      image: alpine/git
      resources:
        requests: {memory: 64Mi}
      script: git clone $(params.url) $(workspaces.output.path)
`),
      'spec',
    );
    expect(task.taskSpec).toEqual({
      metadata: { annotations: expect.any(Object) },
      params: [{ name: 'url' }],
      workspaces: [{ name: 'output' }],
      results: [{ name: 'commit' }],
      steps: [
        {
          name: 'clone',
          image: 'alpine/git',
          computeResources: { requests: { memory: '64Mi' } },
          script: 'git clone $(params.url) $(workspaces.output.path)',
        },
      ],
    });
    expect(Object.keys(task.taskSpec!.metadata.annotations)).toEqual([
      'cairn.dev/template',
      'cairn.dev/template-version',
      'cairn.dev/template-digest',
    ]);
  });

  it('refuses to embed a v1beta1 Task that does not convert, or whose steps v1 cannot hold', () => {
    expect(() =>
      templatePipelineTask(
        beta(`  resources:
    inputs: [{name: source, type: git}]
  steps: [{name: s, image: alpine}]
`),
        'spec',
      ),
    ).toThrow(
      'Task git-clone 0.9 is tekton.dev/v1beta1 and does not convert to tekton.dev/v1: spec.resources: PipelineResources were removed from Tekton (v0.50)',
    );
    expect(() =>
      templatePipelineTask(
        beta(`  steps: [{name: s, image: nginx, ports: [{containerPort: 80}]}]
`),
        'spec',
      ),
    ).toThrow(
      'Task git-clone 0.9 is tekton.dev/v1beta1 and its steps use fields tekton.dev/v1 dropped (ports, probes, lifecycle, stdin, tty); install it and refer to it instead, or publish a v1 version',
    );
    // Referring to it is fine: the cluster converts the installed Task.
    expect(templatePipelineTask(beta('  steps: []\n'), 'ref').taskRef).toEqual({
      name: 'git-clone',
    });
  });
});
