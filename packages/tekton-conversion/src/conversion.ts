/*
 * What Tekton's conversion webhook does for Task, Pipeline, TaskRun and
 * PipelineRun between v1beta1 and v1, on plain JSON. Fields both versions
 * spell alike pass through untouched (so do fields neither knows), and only
 * what v1 renamed or moved is rewritten:
 *
 * - steps', sidecars' and the stepTemplate's `resources` ⇄ `computeResources`;
 *   v1beta1-only container fields of steps and the stepTemplate (ports,
 *   probes, lifecycle, tty, …, the stepTemplate's name) go to the
 *   `tekton.dev/v1beta1.task-deprecations` annotation and come back from it;
 * - TaskRun `stepOverrides`/`sidecarOverrides` ⇄ `stepSpecs`/`sidecarSpecs`,
 *   status `taskResults` ⇄ `results` (v1 adds the steps' `terminationReason`),
 *   status `cloudEvents`/`resourcesResult` kept in annotations;
 * - PipelineRun `serviceAccountName`/`podTemplate` ⇄ `taskRunTemplate`,
 *   `timeout` → `timeouts.pipeline` (read back as `timeouts`, as Tekton
 *   does), taskRunSpecs' `taskServiceAccountName`/`taskPodTemplate` ⇄
 *   `serviceAccountName`/`podTemplate`, status `pipelineResults` ⇄ `results`
 *   (the deprecated embedded `taskRuns`/`runs` status has no v1 form).
 *
 * What current Tekton no longer takes is refused (ConversionRefused), as its
 * validating webhook refuses it on a v1beta1 object:
 *
 * - PipelineResources (`resources` of specs and pipeline tasks), removed in
 *   v0.50;
 * - `bundle` of a taskRef or pipelineRef, removed in v0.61 (tektoncd/pipeline
 *   13af266: the v1beta1 field stays for Go clients, the webhook disallows it
 *   and the conversion no longer reads it). Tekton v0.41–v0.60 converted it
 *   to the bundles resolver; converting it here would accept what no current
 *   Tekton accepts, so the refusal says how to write that resolver ref.
 */

type Json = Record<string, any>;

/** The API version of Tekton's v1beta1 objects. @public */
export const TEKTON_V1BETA1_API_VERSION = 'tekton.dev/v1beta1';

/** The API version of Tekton's v1 objects. @public */
export const TEKTON_V1_API_VERSION = 'tekton.dev/v1';

/** The kinds Tekton serves at v1beta1 and v1 through its conversion webhook. @public */
export const CONVERTED_KINDS = ['Task', 'Pipeline', 'TaskRun', 'PipelineRun'];

/** The annotation Tekton keeps v1beta1-only Step fields in, by Task name. @public */
export const TASK_DEPRECATIONS_ANNOTATION =
  'tekton.dev/v1beta1.task-deprecations';
const CLOUD_EVENTS_ANNOTATION = 'tekton.dev/v1beta1CloudEvents';
const RESOURCES_RESULT_ANNOTATION = 'tekton.dev/v1beta1ResourcesResult';

/** v1beta1 Step fields (from corev1.Container) that v1 Steps do not have. */
const DEPRECATED_STEP_FIELDS = [
  'ports',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'stdin',
  'stdinOnce',
  'tty',
];
const DEPRECATED_STEP_TEMPLATE_FIELDS = ['name', ...DEPRECATED_STEP_FIELDS];

/** A field of a v1beta1 object that v1 cannot hold. @public */
export interface ConversionRefusal {
  /** Where it is, e.g. `spec.tasks[0].taskRef.bundle`. */
  field: string;
  /** Why v1 has no form of it, and what to write instead. */
  reason: string;
}

/**
 * A v1beta1 object v1 cannot hold. The message is the one Tekton's webhook
 * gives (`must not set the field(s): …`); `refusals` (and `problems`, as
 * text) say, field by field, why and what to write instead.
 * @public
 */
export class ConversionRefused extends Error {
  constructor(readonly refusals: ConversionRefusal[]) {
    super(
      `must not set the field(s): ${refusals.map(r => r.field).join(', ')}`,
    );
    this.name = 'ConversionRefused';
  }

  /** One line per refused field, for people: `spec.resources: PipelineResources were removed …`. */
  get problems(): string[] {
    return this.refusals.map(r => `${r.field}: ${r.reason}`);
  }
}

const RESOURCES_GONE =
  'PipelineResources were removed from Tekton (v0.50) and tekton.dev/v1 has no form of them';

/** What to write instead of PipelineResources, by where they were. */
const INSTEAD_OF_RESOURCES = {
  task: 'declare params for what the inputs gave (a git URL and revision, an image reference) and a workspace for files passed between tasks',
  pipeline:
    'declare params for what they gave and workspaces for the files the tasks share',
  pipelineTask:
    "pass the task params and bind the workspaces it declares instead (the task's own resources must go too)",
  run: 'pass params and bind workspaces instead',
};

const bundleGone = (kind: 'Task' | 'Pipeline') =>
  `bundle was removed from Tekton (v0.61) and tekton.dev/v1 has no such field; refer to the ${kind} with resolver: bundles and params bundle (the image), name and kind (${kind})`;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rename(object: unknown, from: string, to: string) {
  if (!isObject(object) || !(from in object)) return;
  object[to] = object[from];
  delete object[from];
}

function each(list: unknown, visit: (item: Json, index: number) => void) {
  if (!Array.isArray(list)) return;
  list.forEach((item, index) => {
    if (isObject(item)) visit(item, index);
  });
}

/** The object's metadata, its v1beta1-only fields in annotations, and refusals met on the way. */
class Context {
  readonly refused: ConversionRefusal[] = [];
  private deprecations: Json | undefined;
  private readonly restored = new Set<string>();
  /** Whether annotations were added or removed (an empty map is dropped then). */
  private touched = false;

  constructor(readonly metadata: Json) {}

  refuse(field: string, reason: string) {
    this.refused.push({ field, reason });
  }

  /** PipelineResources at `path` of `owner`: refused unless absent (`empty` says what counts). */
  refuseResources(
    owner: Json,
    path: string,
    instead: string,
    empty: (resources: unknown) => boolean = r => r === undefined || r === null,
  ) {
    if (!empty(owner.resources))
      this.refuse(`${path}.resources`, `${RESOURCES_GONE}; ${instead}`);
    delete owner.resources;
  }

  private annotations(): Json {
    if (!isObject(this.metadata.annotations)) this.metadata.annotations = {};
    return this.metadata.annotations;
  }

  stash(key: string, value: unknown) {
    if (value === undefined) return;
    this.touched = true;
    this.annotations()[key] = JSON.stringify(value);
  }

  unstash(key: string): unknown {
    const text = this.metadata.annotations?.[key];
    if (typeof text !== 'string') return undefined;
    this.touched = true;
    delete this.metadata.annotations[key];
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  taskDeprecations(): Json {
    if (!this.deprecations) {
      const parsed = this.unstash(TASK_DEPRECATIONS_ANNOTATION);
      this.deprecations = isObject(parsed) ? parsed : {};
    }
    return this.deprecations;
  }

  /** Marks a task's deprecations as given back to the v1beta1 form. */
  restoredTask(name: string) {
    this.restored.add(name);
  }

  finish() {
    if (this.deprecations) {
      for (const name of this.restored) delete this.deprecations[name];
      if (Object.keys(this.deprecations).length)
        this.stash(TASK_DEPRECATIONS_ANNOTATION, this.deprecations);
    }
    if (
      this.touched &&
      isObject(this.metadata.annotations) &&
      !Object.keys(this.metadata.annotations).length
    )
      delete this.metadata.annotations;
    if (this.refused.length) throw new ConversionRefused(this.refused);
  }
}

function takeFields(object: Json, fields: string[]): Json {
  const taken: Json = {};
  for (const field of fields) {
    if (field in object) {
      taken[field] = object[field];
      delete object[field];
    }
  }
  return taken;
}

function taskSpecUp(spec: unknown, ctx: Context, name: string, path: string) {
  if (!isObject(spec)) return;
  ctx.refuseResources(spec, path, INSTEAD_OF_RESOURCES.task);
  const deprecation: Json = {};
  if (Array.isArray(spec.steps)) {
    const steps = spec.steps.map(step => {
      if (!isObject(step)) return {};
      rename(step, 'resources', 'computeResources');
      return takeFields(step, DEPRECATED_STEP_FIELDS);
    });
    if (steps.some(s => Object.keys(s).length))
      deprecation.deprecatedSteps = steps;
  }
  if (isObject(spec.stepTemplate)) {
    rename(spec.stepTemplate, 'resources', 'computeResources');
    const template = takeFields(
      spec.stepTemplate,
      DEPRECATED_STEP_TEMPLATE_FIELDS,
    );
    if (Object.keys(template).length)
      deprecation.deprecatedStepTemplate = template;
  }
  each(spec.sidecars, s => rename(s, 'resources', 'computeResources'));
  if (Object.keys(deprecation).length)
    ctx.taskDeprecations()[name] = deprecation;
}

function taskSpecDown(spec: unknown, ctx: Context, name: string) {
  if (!isObject(spec)) return;
  each(spec.steps, s => rename(s, 'computeResources', 'resources'));
  rename(spec.stepTemplate, 'computeResources', 'resources');
  each(spec.sidecars, s => rename(s, 'computeResources', 'resources'));
  const deprecation = ctx.taskDeprecations()[name];
  if (!isObject(deprecation)) return;
  ctx.restoredTask(name);
  const steps = deprecation.deprecatedSteps;
  if (
    Array.isArray(steps) &&
    Array.isArray(spec.steps) &&
    steps.length === spec.steps.length
  ) {
    spec.steps.forEach((step, i) => {
      if (isObject(step) && isObject(steps[i])) Object.assign(step, steps[i]);
    });
  }
  if (isObject(deprecation.deprecatedStepTemplate)) {
    if (!isObject(spec.stepTemplate)) spec.stepTemplate = {};
    Object.assign(spec.stepTemplate, deprecation.deprecatedStepTemplate);
  }
}

function refuseBundle(
  ref: unknown,
  ctx: Context,
  path: string,
  kind: 'Task' | 'Pipeline',
) {
  if (isObject(ref) && ref.bundle)
    ctx.refuse(`${path}.bundle`, bundleGone(kind));
}

/** Tekton refuses a Pipeline's (and a PipelineRun's) `resources` only when some are declared. */
const noneDeclared = (resources: unknown) =>
  !Array.isArray(resources) || resources.length === 0;

function pipelineSpecUp(spec: unknown, ctx: Context, path: string) {
  if (!isObject(spec)) return;
  ctx.refuseResources(spec, path, INSTEAD_OF_RESOURCES.pipeline, noneDeclared);
  for (const list of ['tasks', 'finally']) {
    each(spec[list], (task, i) => {
      const at = `${path}.${list}[${i}]`;
      ctx.refuseResources(task, at, INSTEAD_OF_RESOURCES.pipelineTask);
      refuseBundle(task.taskRef, ctx, `${at}.taskRef`, 'Task');
      refuseBundle(task.pipelineRef, ctx, `${at}.pipelineRef`, 'Pipeline');
      taskSpecUp(task.taskSpec, ctx, String(task.name ?? ''), `${at}.taskSpec`);
    });
  }
}

function pipelineSpecDown(spec: unknown, ctx: Context) {
  if (!isObject(spec)) return;
  for (const list of ['tasks', 'finally'])
    each(spec[list], task =>
      taskSpecDown(task.taskSpec, ctx, String(task.name ?? '')),
    );
}

/** stepOverrides/sidecarOverrides ⇄ stepSpecs/sidecarSpecs, in a TaskRun or a PipelineRun's taskRunSpecs. */
function overridesUp(spec: Json) {
  rename(spec, 'stepOverrides', 'stepSpecs');
  rename(spec, 'sidecarOverrides', 'sidecarSpecs');
  each(spec.stepSpecs, s => rename(s, 'resources', 'computeResources'));
  each(spec.sidecarSpecs, s => rename(s, 'resources', 'computeResources'));
}

function overridesDown(spec: Json) {
  rename(spec, 'stepSpecs', 'stepOverrides');
  rename(spec, 'sidecarSpecs', 'sidecarOverrides');
  each(spec.stepOverrides, s => rename(s, 'computeResources', 'resources'));
  each(spec.sidecarOverrides, s => rename(s, 'computeResources', 'resources'));
}

function taskRunStatusUp(status: Json, ctx: Context, name: string) {
  rename(status, 'taskResults', 'results');
  each(status.steps, step => {
    const reason = step.terminated?.reason;
    if (reason !== undefined) step.terminationReason = reason;
  });
  taskSpecUp(status.taskSpec, ctx, name, 'status.taskSpec');
  each(status.retriesStatus, retry => taskRunStatusUp(retry, ctx, name));
}

function taskRunStatusDown(status: Json, ctx: Context, name: string) {
  rename(status, 'results', 'taskResults');
  each(status.steps, step => delete step.terminationReason);
  taskSpecDown(status.taskSpec, ctx, name);
  each(status.retriesStatus, retry => taskRunStatusDown(retry, ctx, name));
}

function up(object: Json, ctx: Context) {
  const name = String(ctx.metadata.name ?? '');
  const spec = isObject(object.spec) ? object.spec : undefined;
  const status = isObject(object.status) ? object.status : undefined;
  switch (object.kind) {
    case 'Task':
      taskSpecUp(spec, ctx, name, 'spec');
      return;
    case 'Pipeline':
      pipelineSpecUp(spec, ctx, 'spec');
      return;
    case 'TaskRun':
      if (spec) {
        ctx.refuseResources(spec, 'spec', INSTEAD_OF_RESOURCES.run);
        refuseBundle(spec.taskRef, ctx, 'spec.taskRef', 'Task');
        taskSpecUp(spec.taskSpec, ctx, name, 'spec.taskSpec');
        overridesUp(spec);
      }
      if (status) {
        ctx.stash(CLOUD_EVENTS_ANNOTATION, status.cloudEvents);
        ctx.stash(RESOURCES_RESULT_ANNOTATION, status.resourcesResult);
        delete status.cloudEvents;
        delete status.resourcesResult;
        taskRunStatusUp(status, ctx, name);
      }
      return;
    case 'PipelineRun':
      if (spec) {
        ctx.refuseResources(spec, 'spec', INSTEAD_OF_RESOURCES.run);
        refuseBundle(spec.pipelineRef, ctx, 'spec.pipelineRef', 'Pipeline');
        pipelineSpecUp(spec.pipelineSpec, ctx, 'spec.pipelineSpec');
        if (spec.timeout !== undefined) {
          spec.timeouts = { pipeline: spec.timeout };
          delete spec.timeout;
        }
        const template: Json = {};
        for (const field of ['serviceAccountName', 'podTemplate']) {
          if (spec[field] !== undefined) template[field] = spec[field];
          delete spec[field];
        }
        if (Object.keys(template).length) spec.taskRunTemplate = template;
        each(spec.taskRunSpecs, taskRunSpec => {
          rename(taskRunSpec, 'taskServiceAccountName', 'serviceAccountName');
          rename(taskRunSpec, 'taskPodTemplate', 'podTemplate');
          overridesUp(taskRunSpec);
        });
      }
      if (status) {
        rename(status, 'pipelineResults', 'results');
        pipelineSpecUp(status.pipelineSpec, ctx, 'status.pipelineSpec');
        delete status.taskRuns;
        delete status.runs;
      }
      return;
    default:
  }
}

function down(object: Json, ctx: Context) {
  const name = String(ctx.metadata.name ?? '');
  const spec = isObject(object.spec) ? object.spec : undefined;
  const status = isObject(object.status) ? object.status : undefined;
  switch (object.kind) {
    case 'Task':
      taskSpecDown(spec, ctx, name);
      return;
    case 'Pipeline':
      pipelineSpecDown(spec, ctx);
      return;
    case 'TaskRun':
      if (spec) {
        taskSpecDown(spec.taskSpec, ctx, name);
        overridesDown(spec);
      }
      if (status) {
        taskRunStatusDown(status, ctx, name);
        const cloudEvents = ctx.unstash(CLOUD_EVENTS_ANNOTATION);
        if (cloudEvents !== undefined) status.cloudEvents = cloudEvents;
        const resourcesResult = ctx.unstash(RESOURCES_RESULT_ANNOTATION);
        if (resourcesResult !== undefined)
          status.resourcesResult = resourcesResult;
      }
      return;
    case 'PipelineRun':
      if (spec) {
        pipelineSpecDown(spec.pipelineSpec, ctx);
        const template = spec.taskRunTemplate;
        delete spec.taskRunTemplate;
        if (isObject(template)) {
          for (const field of ['serviceAccountName', 'podTemplate'])
            if (template[field] !== undefined) spec[field] = template[field];
        }
        each(spec.taskRunSpecs, taskRunSpec => {
          rename(taskRunSpec, 'serviceAccountName', 'taskServiceAccountName');
          rename(taskRunSpec, 'podTemplate', 'taskPodTemplate');
          overridesDown(taskRunSpec);
        });
      }
      if (status) {
        rename(status, 'results', 'pipelineResults');
        pipelineSpecDown(status.pipelineSpec, ctx);
      }
      return;
    default:
  }
}

/**
 * A Task, Pipeline, TaskRun or PipelineRun at `apiVersion` (tekton.dev/v1 or
 * tekton.dev/v1beta1); one already there as it is. The input is not
 * modified. Throws {@link ConversionRefused} for v1beta1 fields Tekton no
 * longer takes, and an Error for other kinds and versions.
 * @public
 */
export function convertTektonObject<T extends Json>(
  object: T,
  apiVersion: string,
): T {
  if (object.apiVersion === apiVersion) return object;
  const toV1 =
    object.apiVersion === TEKTON_V1BETA1_API_VERSION &&
    apiVersion === TEKTON_V1_API_VERSION;
  const toBeta =
    object.apiVersion === TEKTON_V1_API_VERSION &&
    apiVersion === TEKTON_V1BETA1_API_VERSION;
  if (!(toV1 || toBeta) || !CONVERTED_KINDS.includes(object.kind)) {
    throw new Error(
      `cannot convert ${object.kind} from ${object.apiVersion} to ${apiVersion}`,
    );
  }
  const converted: Json = structuredClone(object);
  converted.apiVersion = apiVersion;
  if (!isObject(converted.metadata)) converted.metadata = {};
  const ctx = new Context(converted.metadata);
  if (toV1) up(converted, ctx);
  else down(converted, ctx);
  ctx.finish();
  return converted as T;
}
