import { existsSync } from 'fs';
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
import {
  CorpusPipeline,
  readPipelineCorpus,
} from './__testUtils__/pipelineCorpus';
import { validatePipeline } from './validation';
import { reconcileYamlText } from './yamlText';

/*
 * Round trips over a corpus of Pipelines in the shapes teams run: clone →
 * test → build → deploy, monorepo fan-out, matrix builds, resolvers, finally
 * notifications, and every YAML quoting quirk.
 */

/*
 * Pipelines we did not write join the same round trips: Tekton's own
 * examples (`examples/v1`, Apache-2.0), which upstream runs in its
 * end-to-end tests, from shared/tekton-pipelines beside the repository, and
 * the folders in CAIRN_PIPELINE_CORPUS (separated by the path delimiter),
 * e.g. checkouts of Tekton's examples or catalog. They are read in place,
 * never copied into the repository.
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
const ownCorpus = readPipelineCorpus(join(__dirname, '__fixtures__', 'corpus'));
const tektonExamples = readPipelineCorpus(tektonExamplesDir);
const corpus = [
  ...ownCorpus,
  ...tektonExamples,
  ...(process.env.CAIRN_PIPELINE_CORPUS ?? '')
    .split(delimiter)
    .filter(Boolean)
    .flatMap(readPipelineCorpus),
];
const filesRead = (pipelines: CorpusPipeline[]) =>
  new Set(pipelines.map(p => p.file.replace(/#\d+$/, ''))).size;

function load(text: string): Pipeline {
  const { pipeline, problems } = parsePipelineYaml(text);
  expect(problems).toEqual([]);
  return pipeline!;
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));
const trimmed = (lines: string[]) => lines.map(line => line.trim());

it('has a corpus to test', () => {
  expect(filesRead(ownCorpus)).toBe(12);
});

it("reads Tekton's examples", () => {
  if (!existsSync(tektonExamplesDir)) {
    const missing = `Tekton's examples are not at ${tektonExamplesDir}; to run the builder's round trips over them, clone tektoncd/pipeline and set CAIRN_PIPELINE_CORPUS=<checkout>/examples/v1.`;
    // CI must test them; elsewhere a missing checkout is only reported.
    if (process.env.CI) throw new Error(missing);
    process.emitWarning(missing);
    return;
  }
  // Upstream's examples/v1 at 3ee1745ae: 33 files with Pipelines and 41
  // with PipelineRuns that embed one (43 runs; one file has both).
  expect(filesRead(tektonExamples)).toBe(73);
  expect(tektonExamples.filter(p => p.embedded).length).toBe(43);
});

describe.each(corpus)('$file', ({ file, text, embedded, tasks: fileTasks }) => {
  const pipeline = load(text);
  const tasks = pipeline.spec.tasks!;
  const first = tasks[0];
  const last = tasks[tasks.length - 1];

  it('is valid as Tekton accepts it: no errors, no warnings', () => {
    const problems = validatePipeline(pipeline, {
      // A file's Tasks are the namespace's when it defines any.
      tasks: fileTasks.length ? fileTasks : undefined,
      embedded,
    });
    // Upstream's alpha examples need enable-api-fields: "alpha"; that is
    // all the builder may tell about them.
    const needsAlpha = (message: string) =>
      /an alpha feature of Tekton/.test(message) && /\/alpha\//.test(file);
    expect(problems.filter(p => !needsAlpha(p.message))).toEqual([]);
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

  it("changes a param's default, touching only that line", () => {
    const params = pipeline.spec.params ?? [];
    const index = params.findIndex(
      p => typeof p.default === 'string' && !p.default.includes('\n'),
    );
    // Pipelines without a one-line string default have nothing to change.
    if (index < 0) return;
    const next = applyEdit(text, {
      kind: 'setPipelineField',
      path: ['spec', 'params', index, 'default'],
      value: 'changed',
    });
    const expected = clone(pipeline);
    expected.spec.params![index].default = 'changed';
    expect(load(next)).toEqual(expected);
    const old = parseDocument(text).getIn(
      ['spec', 'params', index, 'default'],
      true,
    );
    const { removed, added } = lineDiff(text, next);
    expect(removed.length).toBe(1);
    if (!isScalar(old) || !old.range) throw new Error('no default');
    // In place, in the quoting of the old value.
    const quote =
      { QUOTE_DOUBLE: '"', QUOTE_SINGLE: "'" }[String(old.type)] ?? '';
    expect(added).toEqual([
      removed[0].replace(
        text.slice(old.range[0], old.range[1]),
        `${quote}changed${quote}`,
      ),
    ]);
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

  it('renames a task and every reference to it, touching only those words', () => {
    // The task others depend on most, so runAfter and result references change too.
    const dependents = (name: string) =>
      [...tasks, ...(pipeline.spec.finally ?? [])].filter(t =>
        findPipelineTaskDependencies(t).has(name),
      ).length +
      (JSON.stringify(pipeline.spec.finally ?? []).includes(`tasks.${name}.`)
        ? 1
        : 0);
    const renamed = [...tasks].sort(
      (a, b) => dependents(b.name) - dependents(a.name),
    )[0];
    const from = renamed.name;
    const next = applyEdit(text, { kind: 'renameTask', from, to: 'renamed' });
    const expected = JSON.parse(
      JSON.stringify(pipeline).split(`tasks.${from}.`).join('tasks.renamed.'),
    );
    expected.spec.tasks[tasks.indexOf(renamed)].name = 'renamed';
    for (const task of expected.spec.tasks) {
      if (task.runAfter) {
        task.runAfter = task.runAfter.map((d: string) =>
          d === from ? 'renamed' : d,
        );
      }
    }
    expect(load(next)).toEqual(expected);
    // Each changed line is the old one with the name replaced: quotes,
    // spacing, flow style and comments stay.
    const { removed, added } = lineDiff(text, next);
    const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const word = new RegExp(
      `(?<=tasks\\.)${escaped}(?=\\.)|(?<![\\w.-])${escaped}(?![\\w.-])`,
      'g',
    );
    const rename = (line: string) => {
      const comment = /\s#.*$/.exec(line);
      const code = comment ? line.slice(0, comment.index) : line;
      return code.replace(word, 'renamed') + (comment?.[0] ?? '');
    };
    expect(added).toEqual(removed.map(rename));
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
