import { existsSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { convertTektonObject } from '@cairn/tekton-conversion';
import { readPipelineCorpus } from '../builder/__testUtils__/pipelineCorpus';
import { parsePipelineYaml } from '../builder/document';
import { convertV1beta1PipelineYaml } from './v1beta1';

type Json = Record<string, any>;

const V1 = 'tekton.dev/v1';

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
        '      taskRef: {name: git-clone}',
        '    - name: build',
        '      taskSpec:',
        '        steps:',
        '          - name: make',
        '            image: golang',
        '            resources: {limits: {memory: 1Gi}}',
        '',
      ].join('\n'),
    );
    expect(converted).toEqual({ yaml: expect.any(String) });
    const { yaml } = converted as { yaml: string };
    expect(parsePipelineYaml(yaml).problems).toEqual([]);
    expect(parse(yaml).spec.tasks[1].taskSpec.steps[0]).toEqual({
      name: 'make',
      image: 'golang',
      computeResources: { limits: { memory: '1Gi' } },
    });
  });

  it('says how to write a taskRef bundle as v1 has it', () => {
    expect(
      convertV1beta1PipelineYaml(
        'apiVersion: tekton.dev/v1beta1\nkind: Pipeline\nmetadata: {name: ci}\nspec:\n  tasks:\n    - name: clone\n      taskRef: {name: git-clone, bundle: ghcr.io/acme/tasks/git-clone:0.9}\n',
      ),
    ).toEqual({
      problems: [
        expect.stringMatching(
          /^spec.tasks\[0\].taskRef.bundle: bundle was removed from Tekton \(v0.61\).*resolver: bundles/,
        ),
      ],
    });
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

/*
 * Round trips over Pipelines we did not write: Tekton's own examples
 * (shared/tekton-pipelines beside the repository, read in place, all v1)
 * and the builder's corpus. Each Pipeline and Task, written in its v1beta1
 * form as Tekton's API reference spells it (`resources` for the containers'
 * requirements), converts back to exactly the v1 object it came from.
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
    expect(convertTektonObject(asV1beta1(pipeline), V1)).toEqual(pipeline);
    for (const task of tasks) {
      expect(convertTektonObject(asV1beta1(task), V1)).toEqual(task);
    }
  });

  it('converts down to v1beta1 as Tekton serves it and back up to itself', () => {
    const beta = convertTektonObject(pipeline, 'tekton.dev/v1beta1');
    expect(beta).toEqual(asV1beta1(pipeline));
    expect(convertTektonObject(beta, V1)).toEqual(pipeline);
  });
});
