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

  it('does not embed a v1beta1 Task', () => {
    expect(() =>
      templatePipelineTask(
        { ...version, apiVersion: 'tekton.dev/v1beta1' },
        'spec',
      ),
    ).toThrow(
      'Task git-clone 0.9 is tekton.dev/v1beta1; a Pipeline embeds tekton.dev/v1 Tasks only: install it and refer to it instead',
    );
  });
});
