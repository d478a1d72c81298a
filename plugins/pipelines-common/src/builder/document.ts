import { isMap } from 'yaml';
import { Pipeline, PipelineTask, TEKTON_API_VERSION } from '../types';
import { ValidationProblem } from './problems';
import { findPipelineTaskDependencies } from './references';
import {
  normalizeValue,
  parseYamlDocument,
  reconcileYamlText,
  renderYaml,
  yamlErrorMessage,
  YamlEditError,
} from './yamlText';

/** Metadata fields the API server sets; the editor neither shows nor sends them. */
const SERVER_OWNED_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
] as const;

/**
 * The part of a Pipeline its users own: without `status` and the metadata
 * the server sets (the backend restores them on save). Labels and
 * annotations stay, including kubectl's last-applied annotation.
 * @public
 */
export function toEditablePipeline(obj: Pipeline): Pipeline {
  const { status: _status, ...rest } = obj;
  const metadata = { ...obj.metadata };
  for (const field of SERVER_OWNED_METADATA) delete metadata[field];
  return { ...rest, metadata } as Pipeline;
}

/**
 * The editable part of a Pipeline as YAML: stable, never folded, and
 * quoted so that it parses back to the same object.
 * @public
 */
export function pipelineToYaml(obj: Pipeline): string {
  // In kubectl's order, whatever order the API or a cache gave the keys in.
  const { apiVersion, kind, metadata, spec, ...rest } = toEditablePipeline(obj);
  const ordered = Object.fromEntries(
    Object.entries({ apiVersion, kind, metadata, spec, ...rest }).filter(
      ([, value]) => value !== undefined,
    ),
  );
  return `${renderYaml(normalizeValue(ordered))}\n`;
}

/**
 * The YAML of a new, empty Pipeline.
 * @public
 */
export function newPipelineYaml(
  name: string,
  opts: { labels?: Record<string, string> } = {},
): string {
  return pipelineToYaml({
    apiVersion: TEKTON_API_VERSION,
    kind: 'Pipeline',
    metadata: {
      name,
      ...(opts.labels && Object.keys(opts.labels).length
        ? { labels: opts.labels }
        : {}),
    },
    spec: { tasks: [] },
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses the builder's YAML. Syntax errors come back as problems with their
 * line and column; so does text that is not a Tekton v1 Pipeline, in which
 * case there is no `pipeline`.
 * @public
 */
export function parsePipelineYaml(text: string): {
  pipeline?: Pipeline;
  problems: ValidationProblem[];
} {
  const doc = parseYamlDocument(text);
  if (doc.errors.length) {
    return {
      problems: doc.errors.map(error => ({
        severity: 'error',
        message: yamlErrorMessage(error),
        path: '',
        line: error.linePos?.[0].line,
        column: error.linePos?.[0].col,
      })),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    // An alias whose anchor is missing, or too many aliases.
    return {
      problems: [
        { severity: 'error', path: '', message: (error as Error).message },
      ],
    };
  }
  const problems: ValidationProblem[] = [];
  const problem = (path: string, message: string) =>
    problems.push({ severity: 'error', path, message });
  if (!isObject(value)) {
    problem(
      '',
      'expected a Tekton Pipeline (a YAML mapping with apiVersion, kind, metadata and spec)',
    );
    return { problems };
  }
  if (value.apiVersion !== TEKTON_API_VERSION) {
    problem(
      'apiVersion',
      `apiVersion must be "${TEKTON_API_VERSION}", not ${JSON.stringify(
        value.apiVersion ?? null,
      )}; the builder edits Tekton v1 Pipelines only`,
    );
  }
  if (value.kind !== 'Pipeline') {
    problem(
      'kind',
      `kind must be "Pipeline", not ${JSON.stringify(value.kind ?? null)}`,
    );
  }
  if (!isObject(value.metadata)) {
    problem('metadata', 'metadata must be a mapping with at least a name');
  }
  if (!isObject(value.spec)) {
    problem('spec', "spec must be a mapping with the pipeline's tasks");
  } else {
    for (const lane of ['tasks', 'finally'] as const) {
      const tasks = value.spec[lane];
      if (tasks === undefined || tasks === null) continue;
      if (!Array.isArray(tasks)) {
        problem(
          `spec.${lane}`,
          `spec.${lane} must be a list of pipeline tasks`,
        );
      } else {
        tasks.forEach((task, i) => {
          if (!isObject(task)) {
            problem(
              `spec.${lane}[${i}]`,
              `spec.${lane}[${i}] must be a mapping (a pipeline task with a name)`,
            );
          }
        });
      }
    }
  }
  if (problems.length) return { problems };
  // Every problem above is about the shape; the object is a Pipeline now.
  return { pipeline: value as Pipeline, problems };
}

/**
 * One change the builder makes to a Pipeline's YAML.
 * @public
 */
export type BuilderEdit =
  | {
      kind: 'addTask';
      task: PipelineTask;
      placement:
        | { type: 'after' | 'before' | 'parallel'; of: string }
        | { type: 'finally' }
        | { type: 'root' };
    }
  | { kind: 'removeTask'; name: string }
  | { kind: 'renameTask'; from: string; to: string }
  | { kind: 'connect'; from: string; to: string }
  | { kind: 'disconnect'; from: string; to: string }
  | {
      kind: 'setTaskField';
      task: string;
      path: Array<string | number>;
      value: unknown;
    }
  | { kind: 'setPipelineField'; path: Array<string | number>; value: unknown };

/**
 * An edit that cannot be made; the message says what to do instead.
 * @public
 */
export class BuilderEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuilderEditError';
  }
}

type Container = Record<string | number, unknown>;

/** Sets (or, for `undefined`, deletes) the value at `path`, creating missing maps and lists. */
function setPath(
  root: Container,
  path: Array<string | number>,
  value: unknown,
) {
  if (
    path.some(key =>
      ['__proto__', 'constructor', 'prototype'].includes(String(key)),
    )
  ) {
    throw new BuilderEditError(
      `The path ${JSON.stringify(path)} names no Pipeline field.`,
    );
  }
  let parent: Container = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i];
    let child = parent[key];
    if (typeof child !== 'object' || child === null) {
      if (value === undefined) return;
      child = typeof path[i + 1] === 'number' ? [] : {};
      parent[key] = child;
    }
    parent = child as Container;
  }
  const last = path[path.length - 1];
  if (value !== undefined) {
    parent[last] = value;
  } else if (Array.isArray(parent) && typeof last === 'number') {
    parent.splice(last, 1);
  } else {
    delete parent[last];
  }
}

interface Lanes {
  tasks: PipelineTask[];
  finally: PipelineTask[];
}

function lanesOf(pipeline: Pipeline): Lanes {
  if (!isObject(pipeline.spec)) pipeline.spec = {};
  const spec = pipeline.spec;
  return {
    tasks: Array.isArray(spec.tasks) ? spec.tasks : [],
    finally: Array.isArray(spec.finally) ? spec.finally : [],
  };
}

function findTask(lanes: Lanes, name: string) {
  for (const lane of ['tasks', 'finally'] as const) {
    const index = lanes[lane].findIndex(t => t?.name === name);
    if (index >= 0) return { lane, index, task: lanes[lane][index] };
  }
  return undefined;
}

function requireTask(lanes: Lanes, name: string) {
  const found = findTask(lanes, name);
  if (!found) {
    throw new BuilderEditError(`There is no task "${name}" in this pipeline.`);
  }
  return found;
}

const LEADING_KEYS = ['name', 'displayName', 'description'];

/** The task with this runAfter (none when empty); a new runAfter goes right after the name, where people look for it. */
function withRunAfter(task: PipelineTask, runAfter: string[]): PipelineTask {
  const { runAfter: previous, ...rest } = task;
  if (!runAfter.length) return rest as PipelineTask;
  if (previous !== undefined) return { ...task, runAfter };
  const entries = Object.entries(rest);
  let at = 0;
  while (at < entries.length && LEADING_KEYS.includes(entries[at][0])) at++;
  entries.splice(at, 0, ['runAfter', runAfter]);
  return Object.fromEntries(entries) as PipelineTask;
}

/** Every task `name` runs after, directly or not (runAfter and result references). */
function upstreamOf(lanes: Lanes, name: string): Set<string> {
  const byName = new Map(lanes.tasks.map(t => [t.name, t]));
  const seen = new Set<string>();
  // A stack of its own: a chain may be thousands of tasks long.
  const pending = [name];
  while (pending.length) {
    const found = byName.get(pending.pop()!);
    if (!found) continue;
    for (const dep of findPipelineTaskDependencies(found)) {
      if (!seen.has(dep)) {
        seen.add(dep);
        pending.push(dep);
      }
    }
  }
  return seen;
}

const taskReferencePrefix = (name: string) =>
  new RegExp(
    `\\$\\(tasks\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.`,
    'g',
  );

function renameReferences(value: unknown, from: string, to: string): unknown {
  if (typeof value === 'string') {
    return value.replace(taskReferencePrefix(from), `$(tasks.${to}.`);
  }
  if (Array.isArray(value))
    return value.map(v => renameReferences(v, from, to));
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, renameReferences(v, from, to)]),
    );
  }
  return value;
}

function addTask(
  pipeline: Pipeline,
  edit: Extract<BuilderEdit, { kind: 'addTask' }>,
) {
  const lanes = lanesOf(pipeline);
  let task = JSON.parse(JSON.stringify(edit.task)) as PipelineTask;
  if (!task.name) {
    throw new BuilderEditError('The new task needs a name.');
  }
  if (findTask(lanes, task.name)) {
    throw new BuilderEditError(
      `A task named "${task.name}" already exists; choose another name.`,
    );
  }
  const spec = pipeline.spec;
  const placement = edit.placement;
  if (placement.type === 'finally') {
    if (task.runAfter?.length) {
      throw new BuilderEditError(
        'A finally task cannot have runAfter: finally tasks run after all other tasks. Remove runAfter from it.',
      );
    }
    spec.finally = [...lanes.finally, task];
    return;
  }
  if (placement.type === 'root') {
    spec.tasks = [...lanes.tasks, task];
    return;
  }
  const of = requireTask(lanes, placement.of);
  if (of.lane === 'finally') {
    throw new BuilderEditError(
      `"${placement.of}" is a finally task; add the new task to finally, or place it relative to a task in tasks.`,
    );
  }
  const tasks = [...lanes.tasks];
  const own = task.runAfter ?? [];
  if (placement.type === 'after') {
    task = withRunAfter(task, [...new Set([...own, placement.of])]);
    tasks.splice(of.index + 1, 0, task);
  } else if (placement.type === 'before') {
    // Between the task and what it ran after: deps → new task → task.
    task = withRunAfter(task, [
      ...new Set([...own, ...(of.task.runAfter ?? [])]),
    ]);
    tasks[of.index] = withRunAfter(of.task, [task.name]);
    tasks.splice(of.index, 0, task);
  } else {
    // Same dependencies and the same dependents as the task.
    task = withRunAfter(task, [
      ...new Set([...own, ...(of.task.runAfter ?? [])]),
    ]);
    for (let i = 0; i < tasks.length; i++) {
      if (tasks[i].runAfter?.includes(placement.of)) {
        tasks[i] = withRunAfter(tasks[i], [...tasks[i].runAfter!, task.name]);
      }
    }
    tasks.splice(of.index + 1, 0, task);
  }
  spec.tasks = tasks;
}

function removeTask(pipeline: Pipeline, name: string) {
  const lanes = lanesOf(pipeline);
  const found = requireTask(lanes, name);
  const spec = pipeline.spec;
  spec[found.lane] = lanes[found.lane].filter((_, i) => i !== found.index);
  if (found.lane === 'tasks') {
    spec.tasks = spec.tasks!.map(task => {
      if (!task.runAfter?.includes(name)) return task;
      return withRunAfter(
        task,
        task.runAfter.filter(dep => dep !== name),
      );
    });
  }
}

function renameTask(pipeline: Pipeline, from: string, to: string) {
  const lanes = lanesOf(pipeline);
  const found = requireTask(lanes, from);
  if (from === to) return;
  if (!to) throw new BuilderEditError('The task needs a name.');
  if (findTask(lanes, to)) {
    throw new BuilderEditError(
      `A task named "${to}" already exists; choose another name.`,
    );
  }
  const spec = pipeline.spec;
  spec[found.lane]![found.index] = { ...found.task, name: to };
  for (const lane of ['tasks', 'finally'] as const) {
    if (!Array.isArray(spec[lane])) continue;
    spec[lane] = spec[lane]!.map(task => {
      const renamed = renameReferences(task, from, to) as PipelineTask;
      if (renamed.runAfter?.includes(from)) {
        renamed.runAfter = renamed.runAfter.map(dep =>
          dep === from ? to : dep,
        );
      }
      return renamed;
    });
  }
  if (spec.results !== undefined) {
    spec.results = renameReferences(
      spec.results,
      from,
      to,
    ) as typeof spec.results;
  }
}

function connect(pipeline: Pipeline, from: string, to: string) {
  const lanes = lanesOf(pipeline);
  const source = requireTask(lanes, from);
  const target = requireTask(lanes, to);
  if (target.lane === 'finally') {
    throw new BuilderEditError(
      `"${to}" is a finally task; finally tasks run after all other tasks and cannot have runAfter.`,
    );
  }
  if (source.lane === 'finally') {
    throw new BuilderEditError(
      `"${from}" is a finally task; tasks cannot run after a finally task. Move "${from}" to tasks first.`,
    );
  }
  if (from === to) {
    throw new BuilderEditError(`A task cannot run after itself ("${from}").`);
  }
  if (upstreamOf(lanes, from).has(to)) {
    throw new BuilderEditError(
      `Connecting "${from}" → "${to}" would create a cycle: "${from}" already runs after "${to}".`,
    );
  }
  if (target.task.runAfter?.includes(from)) return;
  pipeline.spec.tasks![target.index] = withRunAfter(target.task, [
    ...(target.task.runAfter ?? []),
    from,
  ]);
}

function disconnect(pipeline: Pipeline, from: string, to: string) {
  const lanes = lanesOf(pipeline);
  requireTask(lanes, from);
  const target = requireTask(lanes, to);
  const usesResults = [
    ...findPipelineTaskDependencies(target.task, { runAfter: false }),
  ].includes(from);
  if (usesResults) {
    throw new BuilderEditError(
      `"${to}" uses results of "${from}" ($(tasks.${from}.results.…)), which makes it run after "${from}"; remove those references from "${to}" to disconnect them.`,
    );
  }
  if (!target.task.runAfter?.includes(from)) {
    throw new BuilderEditError(`"${to}" does not run after "${from}".`);
  }
  pipeline.spec[target.lane]![target.index] = withRunAfter(
    target.task,
    target.task.runAfter.filter(dep => dep !== from),
  );
}

function setTaskField(
  pipeline: Pipeline,
  edit: Extract<BuilderEdit, { kind: 'setTaskField' }>,
) {
  const lanes = lanesOf(pipeline);
  const found = requireTask(lanes, edit.task);
  if (edit.path.length === 1 && edit.path[0] === 'name') {
    if (typeof edit.value !== 'string') {
      throw new BuilderEditError('A task name must be a string.');
    }
    renameTask(pipeline, edit.task, edit.value);
    return;
  }
  if (edit.path.length === 0) {
    if (!isObject(edit.value) || edit.value.name !== edit.task) {
      throw new BuilderEditError(
        `Replacing task "${edit.task}" needs a task with the same name; use renameTask to rename it.`,
      );
    }
    pipeline.spec[found.lane]![found.index] = edit.value as PipelineTask;
    return;
  }
  setPath(found.task as Container, edit.path, edit.value);
}

/**
 * Applies one builder edit to a Pipeline's YAML text. Only the text of what
 * the edit changes is rewritten; comments, key order, quoting and fields the
 * builder has no form for stay as they were.
 * @public
 */
export function applyEdit(text: string, edit: BuilderEdit): string {
  const doc = parseYamlDocument(text);
  if (doc.errors.length) {
    throw new BuilderEditError(
      `The YAML has errors; fix them first: ${yamlErrorMessage(doc.errors[0])}`,
    );
  }
  if (!isMap(doc.contents)) {
    throw new BuilderEditError(
      'The YAML is not a Pipeline (a mapping with apiVersion, kind, metadata and spec); fix it in the YAML view first.',
    );
  }
  let pipeline: Pipeline;
  try {
    pipeline = doc.toJS() as Pipeline;
  } catch (error) {
    throw new BuilderEditError(
      `The YAML cannot be read (${
        (error as Error).message
      }); fix it in the YAML view first.`,
    );
  }
  switch (edit.kind) {
    case 'addTask':
      addTask(pipeline, edit);
      break;
    case 'removeTask':
      removeTask(pipeline, edit.name);
      break;
    case 'renameTask':
      renameTask(pipeline, edit.from, edit.to);
      break;
    case 'connect':
      connect(pipeline, edit.from, edit.to);
      break;
    case 'disconnect':
      disconnect(pipeline, edit.from, edit.to);
      break;
    case 'setTaskField':
      setTaskField(pipeline, edit);
      break;
    case 'setPipelineField':
      if (edit.path.length === 0) {
        throw new BuilderEditError(
          'setPipelineField needs a path, e.g. ["spec", "params"].',
        );
      }
      setPath(pipeline as Container, edit.path, edit.value);
      break;
    default:
      throw new BuilderEditError(
        `Unknown edit ${JSON.stringify((edit as { kind?: unknown }).kind)}.`,
      );
  }
  try {
    return reconcileYamlText(text, pipeline);
  } catch (error) {
    if (error instanceof YamlEditError)
      throw new BuilderEditError(error.message);
    throw error;
  }
}
