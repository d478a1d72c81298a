import { delimiter, join } from 'path';
import { isScalar, parse, parseDocument } from 'yaml';
import { Pipeline, PipelineTask } from '../types';
import {
  applyEdit,
  BuilderEditError,
  parsePipelineYaml,
  pipelineToYaml,
} from './document';
import { findPipelineTaskDependencies } from './references';
import { changedBlock, lineDiff } from './__testUtils__/lineDiff';
import { readPipelineCorpus } from './__testUtils__/pipelineCorpus';
import { validatePipeline } from './validation';
import { reconcileYamlText } from './yamlText';

/*
 * Round trips over a corpus of Pipelines in the shapes teams run: clone →
 * test → build → deploy, monorepo fan-out, matrix builds, resolvers, finally
 * notifications, and every YAML quoting quirk.
 */

/*
 * Pipelines we did not write join the same round trips from folders of
 * Tekton YAML (e.g. checkouts of Tekton's examples or catalog, Apache-2.0):
 * shared/tekton-pipelines beside the repository when it exists, and the
 * folders in CAIRN_PIPELINE_CORPUS (separated by the path delimiter).
 */
const corpusDirs = [
  join(__dirname, '__fixtures__', 'corpus'),
  join(__dirname, '..', '..', '..', '..', '..', 'shared', 'tekton-pipelines'),
  ...(process.env.CAIRN_PIPELINE_CORPUS ?? '').split(delimiter).filter(Boolean),
];
const corpus = corpusDirs.flatMap(readPipelineCorpus);

function load(text: string): Pipeline {
  const { pipeline, problems } = parsePipelineYaml(text);
  expect(problems).toEqual([]);
  return pipeline!;
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));
const trimmed = (lines: string[]) => lines.map(line => line.trim());

it('has a corpus to test', () => {
  expect(corpus.length).toBeGreaterThanOrEqual(8);
});

describe.each(corpus)('$file', ({ text }) => {
  const pipeline = load(text);
  const tasks = pipeline.spec.tasks!;
  const first = tasks[0];
  const last = tasks[tasks.length - 1];

  it('is a valid Pipeline', () => {
    expect(
      validatePipeline(pipeline).filter(p => p.severity === 'error'),
    ).toEqual([]);
  });

  it('saves unchanged: identical text and object', () => {
    expect(reconcileYamlText(text, pipeline)).toBe(text);
    expect(parse(pipelineToYaml(pipeline))).toEqual(pipeline);
  });

  it('sets a task field, touching only that line', () => {
    const next = applyEdit(text, {
      kind: 'setTaskField',
      task: first.name,
      path: ['timeout'],
      value: '7m',
    });
    const expected = clone(pipeline);
    expected.spec.tasks![0].timeout = '7m';
    expect(load(next)).toEqual(expected);
    const diff = lineDiff(text, next);
    // In the quoting style of the value it replaces, if any.
    const old = parseDocument(text).getIn(
      ['spec', 'tasks', 0, 'timeout'],
      true,
    );
    // A comment after the old value stays on its line.
    expect(
      trimmed(diff.added).map(line => line.replace(/\s+#.*$/, '')),
    ).toEqual([
      isScalar(old) && old.type === 'QUOTE_DOUBLE'
        ? 'timeout: "7m"'
        : 'timeout: 7m',
    ]);
    expect(diff.removed.length).toBe(first.timeout === undefined ? 0 : 1);
  });

  it('sets a pipeline field, touching only that line', () => {
    const next = applyEdit(text, {
      kind: 'setPipelineField',
      path: ['metadata', 'labels', 'cairn.dev/edited'],
      value: 'yes',
    });
    const expected = clone(pipeline);
    expected.metadata.labels = {
      ...expected.metadata.labels,
      'cairn.dev/edited': 'yes',
    };
    expect(load(next)).toEqual(expected);
    const diff = lineDiff(text, next);
    expect(diff.removed).toEqual([]);
    expect(trimmed(diff.added)).toEqual(
      pipeline.metadata.labels
        ? ['cairn.dev/edited: "yes"']
        : ['labels:', 'cairn.dev/edited: "yes"'],
    );
  });

  it('adds a task after the last one, inserting only its lines', () => {
    const task: PipelineTask = { name: 'added', taskRef: { name: 'echo' } };
    const next = applyEdit(text, {
      kind: 'addTask',
      task,
      placement: { type: 'after', of: last.name },
    });
    const expected = clone(pipeline);
    expected.spec.tasks!.push({ ...task, runAfter: [last.name] });
    expect(load(next)).toEqual(expected);
    const diff = lineDiff(text, next);
    expect(diff.removed).toEqual([]);
    expect(trimmed(diff.added)).toEqual([
      '- name: added',
      'runAfter:',
      `- ${last.name}`,
      'taskRef:',
      'name: echo',
    ]);
  });

  it('adds a finally task, inserting only its lines', () => {
    const task: PipelineTask = { name: 'added-final', taskRef: { name: 'rm' } };
    const next = applyEdit(text, {
      kind: 'addTask',
      task,
      placement: { type: 'finally' },
    });
    const expected = clone(pipeline);
    expected.spec.finally = [...(expected.spec.finally ?? []), task];
    expect(load(next)).toEqual(expected);
    const diff = lineDiff(text, next);
    expect(diff.removed).toEqual([]);
    expect(trimmed(diff.added)).toEqual([
      ...(pipeline.spec.finally ? [] : ['finally:']),
      '- name: added-final',
      'taskRef:',
      'name: rm',
    ]);
  });

  it('adds a task in parallel with the first, touching only runAfter lists', () => {
    const next = applyEdit(text, {
      kind: 'addTask',
      task: { name: 'beside', taskRef: { name: 'echo' } },
      placement: { type: 'parallel', of: first.name },
    });
    const value = load(next);
    expect(value.spec.tasks![1]).toEqual({
      name: 'beside',
      ...(first.runAfter ? { runAfter: first.runAfter } : {}),
      taskRef: { name: 'echo' },
    });
    // Every task after the first also runs after the new one.
    for (const task of value.spec.tasks!) {
      expect(task.runAfter?.includes('beside') ?? false).toBe(
        task.runAfter?.includes(first.name) ?? false,
      );
    }
    const diff = lineDiff(text, next);
    diff.removed.forEach(line => expect(line).toMatch(/runAfter/));
  });

  it('removes a task nothing depends on, deleting only its lines', () => {
    const leaf = [...tasks]
      .reverse()
      .find(
        t => !tasks.some(o => findPipelineTaskDependencies(o).has(t.name)),
      )!;
    const next = applyEdit(text, { kind: 'removeTask', name: leaf.name });
    const expected = clone(pipeline);
    expected.spec.tasks = expected.spec.tasks!.filter(
      t => t.name !== leaf.name,
    );
    expect(load(next)).toEqual(expected);
    // Exactly the task's own lines, in one block; removing the only task
    // leaves an empty list.
    const { removed, added } = changedBlock(text, next);
    const only = tasks.length === 1;
    expect(trimmed(added)).toEqual(only ? ['tasks: []'] : []);
    expect(trimmed(removed.slice(0, only ? 1 : 0))).toEqual(
      only ? ['tasks:'] : [],
    );
    expect(parse(removed.slice(only ? 1 : 0).join('\n'))).toEqual([leaf]);
  });

  it('refuses to connect a task to itself', () => {
    expect(() =>
      applyEdit(text, { kind: 'connect', from: first.name, to: first.name }),
    ).toThrow(BuilderEditError);
  });

  it('renames the first task and every reference to it, touching only those lines', () => {
    const next = applyEdit(text, {
      kind: 'renameTask',
      from: first.name,
      to: 'renamed',
    });
    const expected = JSON.parse(
      JSON.stringify(pipeline)
        .split(`tasks.${first.name}.`)
        .join('tasks.renamed.'),
    );
    expected.spec.tasks[0].name = 'renamed';
    for (const task of expected.spec.tasks) {
      if (task.runAfter) {
        task.runAfter = task.runAfter.map((d: string) =>
          d === first.name ? 'renamed' : d,
        );
      }
    }
    expect(load(next)).toEqual(expected);
    const diff = lineDiff(text, next);
    expect(diff.removed.length).toBe(diff.added.length);
    diff.removed.forEach(line => expect(line).toContain(first.name));
    diff.added.forEach(line => expect(line).toContain('renamed'));
  });

  it('connects and disconnects two tasks through runAfter only', () => {
    const from = first.name;
    const to = last.name;
    // A one-task pipeline has no two tasks to connect.
    if (from === to) return;
    const connected = applyEdit(text, { kind: 'connect', from, to });
    const expected = clone(pipeline);
    const target = expected.spec.tasks![tasks.length - 1];
    if (!target.runAfter?.includes(from)) {
      target.runAfter = [...(target.runAfter ?? []), from];
    }
    expect(load(connected)).toEqual(expected);
    const diff = lineDiff(text, connected);
    diff.removed.forEach(line => expect(line).toMatch(/runAfter/));
    expect(diff.added.length).toBeLessThanOrEqual(2);

    if (findPipelineTaskDependencies(last, { runAfter: false }).has(from)) {
      return;
    }
    const disconnected = applyEdit(connected, { kind: 'disconnect', from, to });
    const without = clone(expected);
    const runAfter = without.spec.tasks![tasks.length - 1].runAfter!.filter(
      d => d !== from,
    );
    if (runAfter.length)
      without.spec.tasks![tasks.length - 1].runAfter = runAfter;
    else delete without.spec.tasks![tasks.length - 1].runAfter;
    expect(load(disconnected)).toEqual(without);
  });
});
