import { buildPipelineGraph, PipelineValidationIssue } from '../dag';
import { getParamType } from '../params';
import {
  ParamSpec,
  Pipeline,
  PipelineTask,
  Task,
  TaskSpec,
  WhenExpression,
} from '../types';
import { findUnknownFields } from './fields';
import { ValidationProblem } from './problems';
import {
  findVariables,
  isExecutionStatusReference,
  parseParamReference,
  parseResultReference,
} from './references';

/*
 * The rules of Tekton's admission webhook (pipeline_validation.go,
 * task_validation.go, container_validation.go) and of its DAG builder, in
 * their wording, each followed by what to change. With the namespace's
 * Tasks, also the checks Tekton only makes when a run starts: required
 * params, declared results and workspaces of referenced Tasks.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
// A Go duration, as Tekton parses timeouts.
const GO_DURATION = /^[-+]?(0|(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const WHEN_OPERATORS = ['in', 'notin'];
const TEKTON_VARIABLE = /^[_a-zA-Z0-9.-]+(\[([0-9]+|\*)\])?$/;
const VARIABLE_PREFIXES = [
  'params',
  'tasks',
  'finally',
  'context',
  'workspaces',
  'results',
];
const CONTEXT_VARIABLES: Record<string, string[]> = {
  pipelineRun: ['name', 'namespace', 'uid'],
  pipeline: ['name'],
  pipelineTask: ['retries'],
};
const ON_ERROR = ['continue', 'stopAndFail'];

/** An onError Tekton checks: a `$(params.…)` reference is checked only once it is replaced at run time. */
function isCheckedOnError(value: unknown): boolean {
  return value !== undefined && !String(value).startsWith('$(params');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list<T>(value: T[] | undefined | unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

class Problems {
  readonly items: ValidationProblem[] = [];

  error(path: string, message: string, task?: string) {
    this.items.push({
      severity: 'error',
      message,
      path,
      ...(task !== undefined ? { task } : {}),
    });
  }

  warning(path: string, message: string, task?: string) {
    this.items.push({
      severity: 'warning',
      message,
      path,
      ...(task !== undefined ? { task } : {}),
    });
  }
}

interface Located {
  task: PipelineTask;
  path: string;
  final: boolean;
}

/** The Task a PipelineTask references by name, when the namespace's Tasks are known. */
function referencedTask(
  task: PipelineTask,
  tasks: Task[] | undefined,
): Task | undefined {
  const ref = task.taskRef;
  if (!tasks || !isObject(ref) || ref.resolver || !ref.name) return undefined;
  if (ref.kind && ref.kind !== 'Task') return undefined;
  return tasks.find(t => t.metadata?.name === ref.name);
}

/** What a PipelineTask runs: its inline spec, or the referenced Task's spec when known. */
function specOf(
  task: PipelineTask,
  tasks: Task[] | undefined,
): TaskSpec | undefined {
  if (isObject(task.taskSpec)) return task.taskSpec;
  return referencedTask(task, tasks)?.spec;
}

function validateMetadata(problems: Problems, pipeline: Pipeline) {
  const name = isObject(pipeline.metadata) ? pipeline.metadata.name : undefined;
  if (!name) {
    problems.error(
      'metadata.name',
      'missing field(s); give the pipeline a name',
    );
    return;
  }
  if (typeof name !== 'string' || !DNS_SUBDOMAIN.test(name)) {
    problems.error(
      'metadata.name',
      `invalid resource name "${String(
        name,
      )}": must be a valid DNS label; ${DNS_SUBDOMAIN_MESSAGE}`,
    );
  } else if (name.length > 63) {
    problems.error(
      'metadata.name',
      'Invalid resource name: length must be no more than 63 characters',
    );
  }
}

function validateParamSpecs(
  problems: Problems,
  specs: ParamSpec[],
  path: string,
  task?: string,
) {
  const seen = new Set<string>();
  specs.forEach((spec, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(spec) || !spec.name) {
      problems.error(
        `${at}.name`,
        'missing field(s); give the param a name',
        task,
      );
      return;
    }
    if (seen.has(spec.name)) {
      problems.error(
        `${at}.name`,
        `parameter appears more than once: "${spec.name}"; remove or rename one of them`,
        task,
      );
    }
    seen.add(spec.name);
    if (
      spec.type !== undefined &&
      !['string', 'array', 'object'].includes(spec.type)
    ) {
      problems.error(
        `${at}.type`,
        `invalid value: ${String(
          spec.type,
        )}; the type must be string, array or object`,
        task,
      );
    } else if (spec.type !== undefined && spec.default !== undefined) {
      const defaultType = getParamType({
        name: spec.name,
        default: spec.default,
      });
      if (defaultType !== spec.type) {
        problems.error(
          `${at}.default`,
          `"${spec.type}" type does not match default value's type: "${defaultType}"; change the default or the type`,
          task,
        );
      }
    }
    if (
      spec.enum !== undefined &&
      typeof spec.default === 'string' &&
      Array.isArray(spec.enum) &&
      !spec.enum.includes(spec.default)
    ) {
      problems.error(
        `${at}.default`,
        `param default value ${spec.default} not in the enum list; add it to enum or change the default`,
        task,
      );
    }
  });
}

/** Tekton's DAG checks (shared with the run graph), with the builder's paths and what to fix. */
function validateGraph(
  problems: Problems,
  tasks: PipelineTask[],
  finals: PipelineTask[],
) {
  const finalNames = new Set(finals.map(t => t.name));
  const hint = (issue: PipelineValidationIssue, task?: string): string => {
    const message = issue.message;
    if (message.includes('must be a valid DNS Label')) {
      return `${message}; use lower case letters, digits and '-', starting and ending with a letter or digit (at most 63 characters)`;
    }
    if (message.includes('already present in Graph')) {
      return `${message}; rename one of the tasks named "${task}"`;
    }
    const unknown = /but (\S+) wasn't present in Pipeline$/.exec(message);
    if (unknown) {
      return finalNames.has(unknown[1])
        ? `${message}; "${unknown[1]}" is a finally task, and tasks cannot run after finally tasks or use their results`
        : `${message}; add a task named "${unknown[1]}" or stop referring to it`;
    }
    if (message.includes('cycle detected')) {
      return `${message}; remove one of the runAfter entries or result references that form the cycle`;
    }
    if (message.includes('no runAfter allowed under spec.finally')) {
      return `${message}; remove runAfter from it (finally tasks run after all other tasks)`;
    }
    if (message.includes('task result reference from a final task')) {
      return `${message}; only results of tasks in spec.tasks can be used here`;
    }
    if (message.includes('which is not defined in the pipeline')) {
      return `${message}; refer to a task of spec.tasks`;
    }
    if (message === 'missing field(s)') {
      return 'expected at least one, got none; add a task to spec.tasks';
    }
    if (message.includes('spec.tasks is empty')) {
      return `${message}; add a task to spec.tasks`;
    }
    return message;
  };
  const { issues } = buildPipelineGraph({ tasks, finally: finals });
  for (const issue of issues) {
    let path = `spec.${issue.path}`;
    const at = /^(tasks|finally)\[(\d+)\]/.exec(issue.path);
    let task = at
      ? (at[1] === 'tasks' ? tasks : finals)[Number(at[2])]?.name
      : undefined;
    // A result reference: point at the value that holds it.
    const referenced = /depends on (\S+) but|from a (?:final )?task (\S+)/.exec(
      issue.message,
    );
    if (at && referenced && /^(tasks|finally)\[\d+\]$/.test(issue.path)) {
      const owner = (at[1] === 'tasks' ? tasks : finals)[Number(at[2])];
      const use = findVariables(
        { params: owner?.params, matrix: owner?.matrix, when: owner?.when },
        path,
      ).find(
        u =>
          parseResultReference(u.expression)?.task ===
          (referenced[1] ?? referenced[2]),
      );
      if (use) path = use.path;
    }
    const cycle = /cycle detected; task "([^"]+)"/.exec(issue.message);
    if (cycle) {
      task = cycle[1];
      const index = tasks.findIndex(t => t.name === task);
      if (index >= 0) path = `spec.tasks[${index}].runAfter`;
    }
    problems.error(path, hint(issue, task), task);
  }
}

/** The step fields in which Tekton's webhook checks `$(params.…)` (validateStepVariables). */
const TEKTON_CHECKED_STEP_FIELDS = [
  'name',
  'image',
  'workingDir',
  'script',
  'command',
  'args',
  'env',
  'volumeMounts',
  'onError',
];

type Severity = 'error' | 'warning';

function validateTaskSpec(
  problems: Problems,
  spec: TaskSpec,
  path: string,
  task: string,
  propagated: {
    params: Set<string>;
    workspaces: Set<string>;
    /** A PipelineRun's spec: any param or workspace may come from the run. */
    fromRun: boolean;
  },
) {
  const steps = list<Record<string, unknown>>(spec.steps);
  if (steps.length === 0) {
    problems.error(
      `${path}.steps`,
      'missing field(s); add a step with an image and a script',
      task,
    );
  }
  const templateImage = isObject(spec.stepTemplate)
    ? spec.stepTemplate.image
    : undefined;
  const stepNames = new Set<string>();
  steps.forEach((step, i) => {
    const at = `${path}.steps[${i}]`;
    if (!isObject(step)) return;
    if (!step.image && !templateImage && !step.ref) {
      problems.error(
        `${at}.image`,
        'missing field(s); set the image the step runs in',
        task,
      );
    }
    if (step.script && list(step.command).length > 0) {
      problems.error(
        `${at}.script`,
        'script cannot be used with command; remove command (the script runs with its shebang) or move the script into args',
        task,
      );
    }
    if (step.name !== undefined) {
      const name = String(step.name);
      if (name.length > 63 || !DNS_LABEL.test(name)) {
        problems.error(
          `${at}.name`,
          `invalid value "${name}": Task step name must be a valid DNS Label; ${DNS_LABEL_MESSAGE}`,
          task,
        );
      } else if (stepNames.has(name)) {
        problems.error(
          `${at}.name`,
          `expected exactly one, got both: step name "${name}" is used twice; step names must be unique within a task`,
          task,
        );
      }
      stepNames.add(name);
    }
    if (
      isCheckedOnError(step.onError) &&
      !ON_ERROR.includes(String(step.onError))
    ) {
      problems.error(
        `${at}.onError`,
        `invalid value: "${String(
          step.onError,
        )}"; Task step onError must be either "continue" or "stopAndFail"`,
        task,
      );
    }
  });
  validateParamSpecs(
    problems,
    list<ParamSpec>(spec.params),
    `${path}.params`,
    task,
  );
  const params = new Set(list<ParamSpec>(spec.params).map(p => p?.name));
  const results = new Set(
    list<{ name: string }>(spec.results).map(r => r?.name),
  );
  const workspaces = new Set(
    list<{ name: string }>(spec.workspaces).map(w => w?.name),
  );
  /*
   * Tekton's webhook rejects an undeclared `$(params.…)` only in a step's
   * name, image, workingDir, script, command, args, env values, volumeMounts
   * and onError, and an undeclared `$(results.….path)` only in a script.
   * Embedded specs also see the pipeline's params and workspaces
   * (propagation). Anything else Tekton accepts and leaves unresolved at run
   * time: a warning, so a valid upstream Pipeline always saves.
   */
  const report = (severity: Severity, at: string, message: string) =>
    severity === 'error'
      ? problems.error(at, message, task)
      : problems.warning(at, message, task);
  const checkVariables = (
    value: unknown,
    at: string,
    severity: { params: Severity; results: Severity },
  ) => {
    for (const use of findVariables(value, at)) {
      const param = parseParamReference(use.expression);
      if (
        param &&
        !params.has(param.param) &&
        !propagated.params.has(param.param) &&
        !propagated.fromRun
      ) {
        report(
          severity.params,
          use.path,
          `non-existent variable in "$(${use.expression})"; declare param "${param.param}" in the task or the pipeline`,
        );
      }
      const result = /^results\.([^.[\]]+)\.path$/.exec(use.expression);
      if (result && !results.has(result[1])) {
        report(
          severity.results,
          use.path,
          `non-existent variable in "$(${use.expression})"; declare result "${result[1]}" in the task's results`,
        );
      }
      const workspace =
        /^workspaces\.([^.[\]]+)\.(path|bound|claim|volume)$/.exec(
          use.expression,
        );
      if (
        workspace &&
        !workspaces.has(workspace[1]) &&
        !propagated.workspaces.has(workspace[1]) &&
        !propagated.fromRun
      ) {
        report(
          'warning',
          use.path,
          `non-existent variable in "$(${use.expression})"; declare workspace "${workspace[1]}" in the task's or the pipeline's workspaces`,
        );
      }
    }
  };
  const unchecked = { params: 'warning', results: 'warning' } as const;
  steps.forEach((step, i) => {
    const at = `${path}.steps[${i}]`;
    if (!isObject(step)) return;
    for (const [key, value] of Object.entries(step)) {
      checkVariables(value, `${at}.${key}`, {
        params: TEKTON_CHECKED_STEP_FIELDS.includes(key) ? 'error' : 'warning',
        results: key === 'script' ? 'error' : 'warning',
      });
    }
  });
  list(spec.sidecars).forEach((sidecar, i) =>
    checkVariables(sidecar, `${path}.sidecars[${i}]`, unchecked),
  );
  if (spec.stepTemplate !== undefined)
    checkVariables(spec.stepTemplate, `${path}.stepTemplate`, unchecked);
}

function validateWhen(
  problems: Problems,
  when: WhenExpression[],
  path: string,
  task: string,
) {
  when.forEach((expression, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(expression)) return;
    if (expression.cel !== undefined) {
      if (
        expression.input !== undefined ||
        expression.operator !== undefined ||
        expression.values !== undefined
      ) {
        problems.error(
          at,
          'cel and input+operator+values cannot be set in one WhenExpression; keep either the CEL expression or input, operator and values',
          task,
        );
      }
      return;
    }
    if (Object.keys(expression).length === 0) {
      problems.error(
        at,
        'missing field(s); set input, operator and values',
        task,
      );
      return;
    }
    if (!WHEN_OPERATORS.includes(String(expression.operator))) {
      problems.error(
        `${at}.operator`,
        `invalid value: operator "${String(
          expression.operator ?? '',
        )}" is not recognized. valid operators: in,notin`,
        task,
      );
    }
    if (list(expression.values).length === 0) {
      problems.error(
        `${at}.values`,
        'invalid value: expecting non-empty values field; list the values the input is compared with',
        task,
      );
    }
    if (expression.input === undefined) {
      // Tekton compares an empty string then, which is rarely meant.
      problems.warning(
        `${at}.input`,
        'the input is empty, so the values are compared with ""; set the input to compare, e.g. "$(params.branch)"',
        task,
      );
    }
  });
}

function validatePipelineTask(
  problems: Problems,
  located: Located,
  pipeline: {
    params: ParamSpec[];
    workspaces: Set<string>;
    taskByName: Map<string, PipelineTask>;
  },
  context: PipelineValidationContext,
) {
  const { task, path, final } = located;
  const name = task.name;
  const hasRef = task.taskRef !== undefined && task.taskRef !== null;
  const hasSpec = task.taskSpec !== undefined && task.taskSpec !== null;
  // Pipelines in pipelines: alpha, off unless enable-api-fields is "alpha".
  const childPipeline = (['pipelineRef', 'pipelineSpec'] as const).filter(
    field => task[field] !== undefined && task[field] !== null,
  );
  const kinds = [
    ...(hasRef ? ['taskRef'] : []),
    ...(hasSpec ? ['taskSpec'] : []),
    ...childPipeline,
  ];
  for (const field of childPipeline) {
    problems.warning(
      `${path}.${field}`,
      `${field} is an alpha feature of Tekton (enable-api-fields: "alpha"); clusters with the default "beta" or "stable" reject it`,
      name,
    );
  }
  if (kinds.length > 1) {
    problems.error(
      `${path}.${kinds[1]}`,
      `expected exactly one, got multiple: ${kinds.join(
        ', ',
      )}; keep either the reference to a Task or the inline taskSpec`,
      name,
    );
  } else if (kinds.length === 0) {
    problems.error(
      `${path}.taskRef`,
      'expected exactly one, got neither: taskRef, taskSpec; pick a Task or write an inline taskSpec',
      name,
    );
  }
  if (hasRef) {
    const ref = task.taskRef!;
    if (!isObject(ref) || (!ref.name && !ref.resolver)) {
      problems.error(
        `${path}.taskRef.name`,
        'missing field(s); name the Task to run, or set a resolver',
        name,
      );
    } else if (ref.name && ref.resolver) {
      problems.error(
        `${path}.taskRef`,
        'expected exactly one, got both: name, resolver; a resolver reference names its Task in its params',
        name,
      );
    }
  }
  if (hasSpec && isObject(task.taskSpec)) {
    validateTaskSpec(problems, task.taskSpec, `${path}.taskSpec`, name, {
      params: new Set(pipeline.params.map(p => p.name)),
      // The pipeline's workspaces and those bound to the task propagate.
      workspaces: new Set([
        ...pipeline.workspaces,
        ...list<{ name: string }>(task.workspaces).map(w => w?.name),
      ]),
      fromRun: Boolean(context.embedded),
    });
  }
  validateWhen(problems, list<WhenExpression>(task.when), `${path}.when`, name);
  if (
    isCheckedOnError(task.onError) &&
    !ON_ERROR.includes(String(task.onError))
  ) {
    problems.error(
      `${path}.onError`,
      `invalid value: ${String(
        task.onError,
      )}; PipelineTask OnError must be either "continue" or "stopAndFail"`,
      name,
    );
  }
  if (task.onError === 'continue' && Number(task.retries ?? 0) > 0) {
    problems.error(
      `${path}.onError`,
      'PipelineTask OnError cannot be set to "continue" when Retries is greater than 0; remove retries or onError',
      name,
    );
  }
  if (
    task.retries !== undefined &&
    (!Number.isInteger(task.retries) || task.retries < 0)
  ) {
    problems.error(
      `${path}.retries`,
      `invalid value: ${String(
        task.retries,
      )}; retries must be a whole number, 0 or more`,
      name,
    );
  }
  if (task.timeout !== undefined && !GO_DURATION.test(String(task.timeout))) {
    problems.error(
      `${path}.timeout`,
      `invalid value: ${String(
        task.timeout,
      )}; use a duration like "30m", "1h30m" or "0" for no timeout`,
      name,
    );
  }

  // Params passed to the task.
  const passed = list<{ name: string; value: unknown }>(task.params);
  passed.forEach((param, i) => {
    const duplicate = passed.findIndex(p => p?.name === param?.name);
    if (duplicate !== i) {
      problems.error(
        `${path}.params[${i}].name`,
        `parameter names must be unique, the parameter "${param.name}" is also defined at ${path}.params[${duplicate}].name; remove one of them`,
        name,
      );
    }
  });

  const matrixParams = list<{ name: string }>(
    isObject(task.matrix) ? task.matrix.params : undefined,
  );
  matrixParams.forEach((param, i) => {
    if (passed.some(p => p?.name === param?.name)) {
      problems.error(
        `${path}.matrix.params[${i}].name`,
        `expected exactly one, got both: matrix[${param.name}], params[${param.name}]; pass "${param.name}" either in params or in the matrix`,
        name,
      );
    }
  });

  // Variables the pipeline resolves: params, results, execution status.
  const declaredParams = new Map(pipeline.params.map(p => [p.name, p]));
  /*
   * Tekton checks `$(params.…)` against the pipeline's params in task params,
   * matrix params and when expressions (validatePipelineParametersVariables).
   * A display name or matrix include name may also name the matrix's own
   * params; elsewhere an unknown param stays unresolved: a warning.
   */
  const matrix = isObject(task.matrix) ? task.matrix : {};
  const include = list<{ name?: string; params?: unknown }>(matrix.include);
  const scopes: Array<{ value: unknown; at: string; checked: boolean }> = [
    { value: task.params, at: `${path}.params`, checked: true },
    { value: matrix.params, at: `${path}.matrix.params`, checked: true },
    ...include.map((entry, i) => ({
      value: entry?.params,
      at: `${path}.matrix.include[${i}].params`,
      checked: true,
    })),
    { value: task.when, at: `${path}.when`, checked: true },
    ...include.map((entry, i) => ({
      value: entry?.name,
      at: `${path}.matrix.include[${i}].name`,
      checked: false,
    })),
    { value: task.workspaces, at: `${path}.workspaces`, checked: false },
    { value: task.displayName, at: `${path}.displayName`, checked: false },
    {
      value: isObject(task.taskRef) ? task.taskRef.params : undefined,
      at: `${path}.taskRef.params`,
      checked: false,
    },
  ];
  const matrixParamNames = new Set(
    [
      ...list<{ name: string }>(matrix.params),
      ...include.flatMap(entry => list<{ name: string }>(entry?.params)),
    ].map(p => p?.name),
  );
  // Tekton's own matcher, for its check of what a variable starts with.
  for (const { value, at } of scopes.filter(scope => scope.checked)) {
    for (const use of findVariables(value, at)) {
      if (!TEKTON_VARIABLE.test(use.expression)) continue;
      const prefix = use.expression.split('.')[0];
      if (!VARIABLE_PREFIXES.includes(prefix)) {
        problems.error(
          use.path,
          `invalid variable reference "$(${use.expression})", must start with a valid prefix: params, tasks, finally, context, workspaces, or results; if you meant a shell variable, use \${VAR} instead`,
          name,
        );
      }
      const contextName =
        /^context\.(pipelineRun|pipeline|pipelineTask)\.(.+)$/.exec(
          use.expression,
        );
      if (
        contextName &&
        !CONTEXT_VARIABLES[contextName[1]].includes(contextName[2])
      ) {
        problems.error(
          use.path,
          `non-existent variable in "$(${
            use.expression
          })"; use one of ${CONTEXT_VARIABLES[contextName[1]]
            .map(v => `$(context.${contextName[1]}.${v})`)
            .join(', ')}`,
          name,
        );
      }
    }
  }
  for (const { value, at, checked } of scopes) {
    for (const use of findVariables(value, at)) {
      const param = parseParamReference(use.expression);
      if (param) {
        const spec = declaredParams.get(param.param);
        // A run's params propagate into its pipelineSpec.
        const undeclared = !spec && !context.embedded;
        if (undeclared && checked) {
          problems.error(
            use.path,
            `non-existent variable in "$(${use.expression})"; declare param "${param.param}" in the pipeline's params`,
            name,
          );
        } else if (undeclared && !matrixParamNames.has(param.param)) {
          problems.warning(
            use.path,
            `non-existent variable in "$(${use.expression})"; declare param "${param.param}" in the pipeline's params`,
            name,
          );
        } else if (
          spec &&
          param.key !== undefined &&
          getParamType(spec) === 'object'
        ) {
          const keys = Object.keys(
            spec.properties ?? (isObject(spec.default) ? spec.default : {}),
          );
          if (!keys.includes(param.key)) {
            problems.error(
              use.path,
              `non-existent variable in "$(${use.expression})"; object param "${param.param}" has no key "${param.key}"`,
              name,
            );
          }
        }
      }
      if (isExecutionStatusReference(use.expression) && !final) {
        problems.error(
          use.path,
          `invalid value: pipeline tasks can not refer to execution status of any other pipeline task or aggregate status of tasks; move "${name}" to finally to read $(${use.expression})`,
          name,
        );
      }
      const result = parseResultReference(use.expression);
      const producer = result && pipeline.taskByName.get(result.task);
      if (
        producer &&
        isObject(producer.matrix) &&
        !use.expression.endsWith('[*]')
      ) {
        problems.error(
          use.path,
          `A matrixed pipelineTask can only be consumed in aggregate using [*] notation, but is currently set to ${use.expression}; use $(${use.expression}[*])`,
          name,
        );
      }
      if (result && producer) {
        const produced = specOf(producer, context.tasks);
        const declared = list<{ name: string }>(produced?.results).map(
          r => r?.name,
        );
        if (produced && !declared.includes(result.result)) {
          problems.error(
            use.path,
            `invalid result reference in pipeline task "${name}": "${
              result.result
            }" is not a named result returned by pipeline task "${
              result.task
            }"${
              declared.length
                ? `; it returns ${declared.map(r => `"${r}"`).join(', ')}`
                : '; it returns no results'
            }`,
            name,
          );
        }
      }
    }
  }

  // Workspaces bound to the task.
  const bindings = list<{ name: string; workspace?: string }>(task.workspaces);
  bindings.forEach((binding, i) => {
    const workspace = binding?.workspace ?? binding?.name;
    if (!pipeline.workspaces.has(workspace) && !context.embedded) {
      problems.error(
        `${path}.workspaces[${i}].workspace`,
        `invalid value: pipeline task "${name}" expects workspace with name "${workspace}" but none exists in pipeline spec; declare it in the pipeline's workspaces`,
        name,
      );
    }
  });

  // Against what the task runs: its params, workspaces.
  const spec = specOf(task, context.tasks);
  if (!spec) {
    const ref = task.taskRef;
    if (
      context.tasks &&
      isObject(ref) &&
      ref.name &&
      !ref.resolver &&
      (!ref.kind || ref.kind === 'Task')
    ) {
      problems.warning(
        `${path}.taskRef.name`,
        `Task "${ref.name}" was not found in the namespace; create it there or pick another Task`,
        name,
      );
    }
    return;
  }
  const taskParams = list<ParamSpec>(spec.params);
  const given = new Set([
    ...passed.map(p => p?.name),
    ...list<{ name: string }>(
      isObject(task.matrix) ? task.matrix.params : undefined,
    ).map(p => p?.name),
    ...list<{ params?: Array<{ name: string }> }>(
      isObject(task.matrix) ? task.matrix.include : undefined,
    ).flatMap(entry => list<{ name: string }>(entry?.params).map(p => p?.name)),
  ]);
  const inline = hasSpec;
  for (const param of taskParams) {
    if (
      !isObject(param) ||
      param.default !== undefined ||
      given.has(param.name)
    )
      continue;
    // An inline spec gets the pipeline's params of the same name.
    if (inline && declaredParams.has(param.name)) continue;
    problems.error(
      `${path}.params`,
      `missing parameters: [${param.name}]; param "${param.name}" has no default, so "${name}" must pass a value for it`,
      name,
    );
  }
  if (!inline) {
    const known = new Set(taskParams.map(p => p?.name));
    passed.forEach((param, i) => {
      if (param?.name && !known.has(param.name)) {
        problems.warning(
          `${path}.params[${i}].name`,
          `param "${param.name}" is not declared by Task "${task.taskRef?.name}"; remove it or check its name`,
          name,
        );
      }
    });
  }
  const taskWorkspaces = list<{ name: string; optional?: boolean }>(
    spec.workspaces,
  );
  const bound = new Set(bindings.map(b => b?.name));
  for (const workspace of taskWorkspaces) {
    if (
      isObject(workspace) &&
      !workspace.optional &&
      !bound.has(workspace.name)
    ) {
      problems.error(
        `${path}.workspaces`,
        `declared workspace "${workspace.name}" is required but has not been bound; bind it to a pipeline workspace`,
        name,
      );
    }
  }
  const declaredWorkspaces = new Set(taskWorkspaces.map(w => w?.name));
  bindings.forEach((binding, i) => {
    // An inline spec gets bound workspaces it does not declare (propagation).
    if (inline) return;
    if (binding?.name && !declaredWorkspaces.has(binding.name)) {
      problems.error(
        `${path}.workspaces[${i}].name`,
        `workspace binding "${
          binding.name
        }" does not match any declared workspace; the task declares ${
          declaredWorkspaces.size
            ? [...declaredWorkspaces].map(w => `"${w}"`).join(', ')
            : 'no workspaces'
        }`,
        name,
      );
    }
  });
}

/**
 * What a Pipeline is checked against.
 * @public
 */
export interface PipelineValidationContext {
  /** The namespace's Tasks, when known: what referenced Tasks declare is checked too. */
  tasks?: Task[];
  /**
   * The Pipeline is a PipelineRun's `pipelineSpec`: the run's params and
   * workspaces propagate into it, so, as Tekton, undeclared ones it uses
   * are not reported.
   */
  embedded?: boolean;
}

/**
 * Checks a Pipeline as Tekton's admission webhook would, in its wording
 * plus what to fix; with the namespace's Tasks, also the params, results
 * and workspaces of the Tasks it references. Errors block saving.
 * @public
 */
export function validatePipeline(
  pipeline: Pipeline,
  context: PipelineValidationContext = {},
): ValidationProblem[] {
  const problems = new Problems();
  for (const path of findUnknownFields(pipeline)) {
    const lane = /^spec\.(tasks|finally)\[(\d+)\]\./.exec(path);
    const task = lane
      ? list<PipelineTask>(pipeline.spec?.[lane[1] as 'tasks' | 'finally'])[
          Number(lane[2])
        ]?.name
      : undefined;
    problems.error(
      path,
      `unknown field "${path}"; a Tekton v1 Pipeline has no such field, and Tekton refuses the whole Pipeline for it: check the spelling or remove it`,
      task,
    );
  }
  validateMetadata(problems, pipeline);
  const spec = pipeline.spec;
  if (!isObject(spec)) {
    problems.error('spec', 'missing field(s); add a spec with tasks');
    return problems.items;
  }
  const located: Located[] = [];
  const lanes = [
    ['tasks', false],
    ['finally', true],
  ] as const;
  for (const [lane, final] of lanes) {
    list<PipelineTask>(spec[lane]).forEach((task, i) => {
      if (isObject(task))
        located.push({ task, path: `spec.${lane}[${i}]`, final });
      else
        problems.error(
          `spec.${lane}[${i}]`,
          'invalid value: expected a pipeline task (a mapping with a name)',
        );
    });
  }
  const tasks = located.filter(l => !l.final).map(l => l.task);
  const finals = located.filter(l => l.final).map(l => l.task);

  const params = list<ParamSpec>(spec.params);
  validateParamSpecs(problems, params, 'spec.params');
  const workspaceNames = new Set<string>();
  list<{ name: string }>(spec.workspaces).forEach((workspace, i) => {
    if (workspaceNames.has(workspace?.name)) {
      problems.error(
        `spec.workspaces[${i}].name`,
        `workspace with name "${workspace.name}" appears more than once; remove or rename one of them`,
      );
    }
    workspaceNames.add(workspace?.name);
  });

  validateGraph(problems, tasks, finals);
  const taskByName = new Map([...tasks, ...finals].map(t => [t.name, t]));
  for (const entry of located) {
    validatePipelineTask(
      problems,
      entry,
      { params, workspaces: workspaceNames, taskByName },
      context,
    );
  }

  list<{ name: string; value: unknown }>(spec.results).forEach((result, i) => {
    for (const use of findVariables(
      result?.value,
      `spec.results[${i}].value`,
    )) {
      const reference = parseResultReference(use.expression);
      if (reference && !taskByName.has(reference.task)) {
        problems.error(
          use.path,
          `invalid value: referencing a nonexistent task; there is no task "${reference.task}" in this pipeline`,
        );
      }
    }
  });
  return problems.items;
}
