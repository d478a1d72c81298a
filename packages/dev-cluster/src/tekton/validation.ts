import { buildDag } from './dag';
import { parseDuration } from './duration';
import { findReferences, parseResultReference } from './substitution';
import type {
  PipelineRun,
  PipelineSpec,
  PipelineTask,
  TaskSpec,
} from './types';

/*
 * Tekton's semantic validation, as its admission webhook answers: each
 * problem is a knative FieldError line "<message>: <path>", and several are
 * joined with newlines. The CRDs' schemas only check structure.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const STATUS_REFERENCE = /^tasks\.(status|[^.]+\.(status|reason))$/;

class Problems {
  readonly lines: string[] = [];
  add(message: string, ...paths: string[]): void {
    this.lines.push(paths.length ? `${message}: ${paths.join(', ')}` : message);
  }
  result(): string[] {
    return [...new Set(this.lines)].sort();
  }
}

function validateName(
  problems: Problems,
  name: string | undefined,
  path: string,
) {
  if (!name) problems.add('missing field(s)', path);
  else if (name.length > 63 || !DNS_LABEL.test(name))
    problems.add(`invalid value: "${name}"`, `${path}\n${DNS_LABEL_MESSAGE}`);
}

/** Tekton leaves an `onError` that is a param reference to run time. */
function isValidOnError(value: string): boolean {
  return (
    ['continue', 'stopAndFail'].includes(value) || value.startsWith('$(params.')
  );
}

function validateTaskSpecInto(
  problems: Problems,
  spec: TaskSpec,
  path: string,
  /**
   * A Task created as such: params cannot propagate into it, so its steps
   * may only reference declared ones. Inline specs (of TaskRuns and
   * PipelineTasks) get their runs' params, so Tekton skips this check.
   */
  standalone = false,
) {
  const steps = spec.steps ?? [];
  if (steps.length === 0) problems.add('missing field(s)', `${path}.steps`);
  const stepNames = new Set<string>();
  steps.forEach((step, i) => {
    const at = `${path}.steps[${i}]`;
    const image = step.image ?? spec.stepTemplate?.image;
    if (!image && !step.ref) problems.add('missing field(s)', `${at}.image`);
    if (step.script && step.command?.length)
      problems.add('script cannot be used with command', `${at}.script`);
    if (step.name !== undefined) {
      validateName(problems, step.name, `${at}.name`);
      if (stepNames.has(step.name))
        problems.add(`invalid value: ${step.name}`, `${at}.name`);
      stepNames.add(step.name);
    }
    if (step.onError && !isValidOnError(step.onError))
      problems.add(
        `invalid value: ${step.onError}`,
        `${at}.onError\nTask step onError must be either "continue" or "stopAndFail"`,
      );
  });
  const declared = new Set((spec.params ?? []).map(p => p.name));
  const results = new Set((spec.results ?? []).map(r => r.name));
  const seenParams = new Set<string>();
  (spec.params ?? []).forEach(param => {
    if (seenParams.has(param.name))
      problems.add(
        `parameter appears more than once`,
        `${path}.params[${param.name}]`,
      );
    seenParams.add(param.name);
    if (param.type && !['string', 'array', 'object'].includes(param.type))
      problems.add(
        `invalid value: ${param.type}`,
        `${path}.params.${param.name}.type`,
      );
  });
  steps.forEach((step, i) => {
    for (const reference of findReferences(step)) {
      const name = /^params(?:\.([^.[\]]+)|\[['"](.+?)['"]\])/.exec(reference);
      const paramName = name?.[1] ?? name?.[2];
      if (paramName && standalone && !declared.has(paramName))
        problems.add(
          `non-existent variable in "$(${reference})"`,
          `${path}.steps[${i}]`,
        );
      const result = /^results\.([^.]+)\.path$/.exec(reference);
      if (result && !results.has(result[1]))
        problems.add(
          `non-existent variable in "$(${reference})"`,
          `${path}.steps[${i}]`,
        );
    }
  });
}

/** Tekton's validation of a Task (spec only). */
export function validateTask(task: {
  metadata?: { name?: string };
  spec?: TaskSpec;
}): string[] {
  const problems = new Problems();
  validateTaskSpecInto(problems, task.spec ?? {}, 'spec', true);
  return problems.result();
}

/** Tekton's validation of the TaskSpec a TaskRun runs (inline or referenced). */
export function validateTaskSpec(spec: TaskSpec): string[] {
  const problems = new Problems();
  validateTaskSpecInto(problems, spec, 'spec');
  return problems.result();
}

function validatePipelineTask(
  problems: Problems,
  task: PipelineTask,
  path: string,
  final: boolean,
) {
  validateName(problems, task.name, `${path}.name`);
  if (task.taskRef && task.taskSpec)
    problems.add(
      'expected exactly one, got both',
      `${path}.taskRef`,
      `${path}.taskSpec`,
    );
  else if (!task.taskRef && !task.taskSpec)
    problems.add(
      'expected exactly one, got neither',
      `${path}.taskRef`,
      `${path}.taskSpec`,
    );
  if (task.taskRef && !task.taskRef.name && !task.taskRef.resolver)
    problems.add('missing field(s)', `${path}.taskRef.name`);
  if (task.taskSpec)
    validateTaskSpecInto(problems, task.taskSpec, `${path}.taskSpec`);
  if (final && task.runAfter?.length)
    problems.add(
      `invalid value: no runAfter allowed under spec.finally, final task ${task.name} has runAfter specified`,
      path,
    );
  (task.when ?? []).forEach((when, i) => {
    if (!['in', 'notin'].includes(when.operator))
      problems.add(
        `invalid value: operator "${when.operator}" is not recognized. valid operators: in,notin`,
        `${path}.when[${i}]`,
      );
    if (!when.values?.length)
      problems.add(
        `invalid value: expecting non-empty values field`,
        `${path}.when[${i}]`,
      );
  });
  if (task.onError && !isValidOnError(task.onError))
    problems.add(`invalid value: ${task.onError}`, `${path}.onError`);
  if (task.onError === 'continue' && (task.retries ?? 0) > 0)
    problems.add(
      'PipelineTask OnError cannot be set to continue when Retries is greater than 0',
      path,
    );
  if (task.timeout !== undefined && parseDuration(task.timeout) === undefined)
    problems.add(`invalid value: ${task.timeout}`, `${path}.timeout`);
  if (!final) {
    for (const reference of findReferences([
      task.params ?? [],
      task.when ?? [],
    ])) {
      if (STATUS_REFERENCE.test(reference))
        problems.add(
          'invalid value: pipeline tasks can not refer to execution status of any other pipeline task or aggregate status of tasks',
          `${path}`,
        );
    }
  }
}

/**
 * Tekton's validation of a Pipeline spec; `path` is where it sits (`spec`, or
 * `spec.pipelineSpec`). A Pipeline created as such (`standalone`) must
 * declare the workspaces its tasks bind; an inline one gets its run's.
 */
export function validatePipelineSpec(
  spec: PipelineSpec,
  path = 'spec',
  standalone = false,
): string[] {
  const problems = new Problems();
  const tasks = spec.tasks ?? [];
  const finals = spec.finally ?? [];
  if (tasks.length === 0)
    problems.add('expected at least one, got none', `${path}.tasks`);
  const names = new Set<string>();
  [
    ...tasks.map((t, i) => [t, `${path}.tasks[${i}]`, false] as const),
    ...finals.map((t, i) => [t, `${path}.finally[${i}]`, true] as const),
  ].forEach(([task, at, final]) => {
    if (task.name && names.has(task.name))
      problems.add('expected exactly one, got both', `${at}.name`);
    names.add(task.name);
    validatePipelineTask(problems, task, at, final);
  });
  try {
    buildDag(tasks);
  } catch (error) {
    problems.add(`invalid value: ${(error as Error).message}`, `${path}.tasks`);
  }
  const dagNames = new Set(tasks.map(t => t.name));
  const finalNames = new Set(finals.map(t => t.name));
  finals.forEach((task, i) => {
    for (const reference of findReferences([
      task.params ?? [],
      task.when ?? [],
    ])) {
      const parsed = parseResultReference(reference);
      if (!parsed) continue;
      if (finalNames.has(parsed.task))
        problems.add(
          `invalid value: invalid task result reference, final task has task result reference from a final task ${parsed.task}`,
          `${path}.finally[${i}].params`,
        );
      else if (!dagNames.has(parsed.task))
        problems.add(
          `invalid value: invalid task result reference, final task has task result reference from a task ${parsed.task} which is not defined in the pipeline`,
          `${path}.finally[${i}].params`,
        );
    }
  });
  tasks.forEach((task, i) => {
    for (const reference of findReferences([
      task.params ?? [],
      task.when ?? [],
    ])) {
      const parsed = parseResultReference(reference);
      if (parsed && finalNames.has(parsed.task))
        problems.add(
          `invalid value: invalid task result reference, ${task.name} has task result reference from a final task ${parsed.task}`,
          `${path}.tasks[${i}]`,
        );
    }
  });
  (spec.results ?? []).forEach((result, i) => {
    for (const reference of findReferences(result.value)) {
      const parsed = parseResultReference(reference);
      if (
        !parsed ||
        (!dagNames.has(parsed.task) && !finalNames.has(parsed.task))
      )
        problems.add(
          `invalid value: referencing a nonexistent task`,
          `${path}.results[${i}].value`,
        );
    }
  });
  const declaredWorkspaces = new Set((spec.workspaces ?? []).map(w => w.name));
  if (standalone)
    for (const [field, list] of [
      ['tasks', tasks],
      ['finally', finals],
    ] as const)
      list.forEach((task, i) =>
        (task.workspaces ?? []).forEach((binding, j) => {
          const workspace = binding.workspace || binding.name;
          if (!declaredWorkspaces.has(workspace))
            problems.add(
              `invalid value: pipeline task "${task.name}" expects workspace with name "${workspace}" but none exists in pipeline spec`,
              `${path}.${field}[${i}].workspaces[${j}]`,
            );
        }),
      );
  return problems.result();
}

/**
 * Tekton's check, when a run starts, that result references name results
 * the referenced tasks declare (`declared`: results by pipeline task, for
 * the tasks whose Task could be read). Returns the InvalidTaskResultReference
 * message, if any.
 */
export function invalidResultReference(
  spec: PipelineSpec,
  declared: Map<string, string[]>,
): string | undefined {
  for (const task of [...(spec.tasks ?? []), ...(spec.finally ?? [])]) {
    for (const reference of findReferences([
      task.params ?? [],
      task.when ?? [],
    ])) {
      const parsed = parseResultReference(reference);
      const results = parsed && declared.get(parsed.task);
      if (parsed && results && !results.includes(parsed.result))
        return `invalid result reference in pipeline task "${task.name}": "${parsed.result}" is not a named result returned by pipeline task "${parsed.task}"`;
    }
  }
  return undefined;
}

/** Tekton's validation of a Pipeline. */
export function validatePipeline(pipeline: { spec?: PipelineSpec }): string[] {
  return validatePipelineSpec(pipeline.spec ?? {}, 'spec', true);
}

const SPEC_STATUSES = [
  'Cancelled',
  'CancelledRunFinally',
  'StoppedRunFinally',
  'PipelineRunPending',
];

/** Tekton's validation of a PipelineRun (including an embedded pipelineSpec). */
export function validatePipelineRun(run: Pick<PipelineRun, 'spec'>): string[] {
  const problems = new Problems();
  const spec = run.spec ?? ({} as PipelineRun['spec']);
  if (spec.pipelineRef && spec.pipelineSpec)
    problems.add(
      'expected exactly one, got both',
      'spec.pipelineRef',
      'spec.pipelineSpec',
    );
  else if (!spec.pipelineRef && !spec.pipelineSpec)
    problems.add(
      'expected exactly one, got neither',
      'spec.pipelineRef',
      'spec.pipelineSpec',
    );
  if (spec.status && !SPEC_STATUSES.includes(spec.status))
    problems.add(`invalid value: ${spec.status}`, 'spec.status');
  const timeouts = spec.timeouts ?? {};
  const parsed: Record<string, number | undefined> = {};
  for (const field of ['pipeline', 'tasks', 'finally'] as const) {
    const text = timeouts[field];
    if (text === undefined) continue;
    parsed[field] = parseDuration(text);
    if (parsed[field] === undefined)
      problems.add(`invalid value: ${text}`, `spec.timeouts.${field}`);
  }
  const pipeline = parsed.pipeline;
  if (pipeline !== undefined && pipeline !== 0) {
    for (const field of ['tasks', 'finally'] as const) {
      const value = parsed[field];
      if (value !== undefined && (value === 0 || value > pipeline))
        problems.add(
          `invalid value: ${timeouts[field]} should be <= pipeline duration`,
          `spec.timeouts.${field}`,
        );
    }
    if (
      parsed.tasks !== undefined &&
      parsed.finally !== undefined &&
      parsed.tasks + parsed.finally > pipeline
    )
      problems.add(
        `invalid value: ${timeouts.tasks} + ${timeouts.finally} should be <= pipeline duration`,
        'spec.timeouts.tasks, spec.timeouts.finally',
      );
  }
  const lines = problems.result();
  if (spec.pipelineSpec)
    lines.push(...validatePipelineSpec(spec.pipelineSpec, 'spec.pipelineSpec'));
  return lines;
}
