import { pipelineToYaml } from '../builder/document';
import { parseYamlDocument } from '../builder/yamlText';
import { Pipeline, TEKTON_API_VERSION } from '../types';

/*
 * Tekton's conversion of a Task or Pipeline from tekton.dev/v1beta1 to
 * tekton.dev/v1 (what its conversion webhook does when a v1beta1 object is
 * read at v1), on plain JSON, for the builder: a Pipeline pasted or loaded
 * as v1beta1, and a store Task of v1beta1 embedded in a v1 Pipeline. Fields
 * both versions spell alike (params, results, workspaces, when, matrix,
 * finally, …) pass through as they are; only what v1 renamed or moved is
 * rewritten:
 *
 * - steps', sidecars' and the stepTemplate's `resources` (a container's
 *   resource requirements) become `computeResources`;
 * - Step fields v1 dropped (ports, probes, lifecycle, termination message,
 *   stdin, tty; and the stepTemplate's name) are kept, as Tekton keeps
 *   them, in the `tekton.dev/v1beta1.task-deprecations` annotation, keyed by
 *   the Task's name (a Pipeline's: by the pipeline task's);
 * - `taskRef.bundle` (and a pipeline task's `pipelineRef.bundle`) becomes
 *   the bundles resolver with params `bundle`, `name` and `kind`.
 *
 * PipelineResources (`resources` of a Task's or Pipeline's spec and of a
 * pipeline task) were removed from Tekton and have no v1 form: they are
 * refused, each with where it is and what to use instead.
 */

type Json = Record<string, any>;

/** The API version Tekton's v1beta1 objects carry. @public */
export const TEKTON_V1BETA1_API_VERSION = 'tekton.dev/v1beta1';

/** The annotation Tekton keeps v1beta1-only Step fields in. @public */
export const TASK_DEPRECATIONS_ANNOTATION =
  'tekton.dev/v1beta1.task-deprecations';

/** v1beta1 Step fields (from a Kubernetes container) that v1 Steps do not have. */
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

/**
 * A v1beta1 object v1 cannot hold: `problems` say where and why, one each.
 * @public
 */
export class V1beta1ConversionError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'V1beta1ConversionError';
  }
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function rename(object: unknown, from: string, to: string) {
  if (!isObject(object) || !(from in object)) return;
  object[to] = object[from];
  delete object[from];
}

/** The fields taken out of `object`, by name. */
function take(object: Json, fields: string[]): Json {
  const taken: Json = {};
  for (const field of fields) {
    if (field in object) {
      taken[field] = object[field];
      delete object[field];
    }
  }
  return taken;
}

const RESOURCES_GONE =
  'PipelineResources were removed from Tekton (v0.50) and tekton.dev/v1 has no form of them';

class Conversion {
  readonly problems: string[] = [];
  readonly deprecations: Json = {};

  refuseResources(owner: Json, path: string, instead: string) {
    const resources = owner.resources;
    const empty =
      resources === undefined ||
      resources === null ||
      (Array.isArray(resources) && resources.length === 0) ||
      (isObject(resources) &&
        Object.values(resources).every(
          v => v === undefined || (Array.isArray(v) && v.length === 0),
        ));
    if (!empty) {
      this.problems.push(`${path}.resources: ${RESOURCES_GONE}; ${instead}`);
    }
    delete owner.resources;
  }

  taskSpec(spec: unknown, key: string, path: string) {
    if (!isObject(spec)) return;
    this.refuseResources(
      spec,
      path,
      'declare params for what the inputs gave (a git URL and revision, an image reference) and a workspace for files passed between tasks',
    );
    const deprecation: Json = {};
    if (Array.isArray(spec.steps)) {
      const steps = spec.steps.map(step => {
        if (!isObject(step)) return {};
        rename(step, 'resources', 'computeResources');
        return take(step, DEPRECATED_STEP_FIELDS);
      });
      if (steps.some(s => Object.keys(s).length)) {
        deprecation.deprecatedSteps = steps;
      }
    }
    if (isObject(spec.stepTemplate)) {
      rename(spec.stepTemplate, 'resources', 'computeResources');
      const template = take(spec.stepTemplate, DEPRECATED_STEP_TEMPLATE_FIELDS);
      if (Object.keys(template).length) {
        deprecation.deprecatedStepTemplate = template;
      }
    }
    for (const sidecar of Array.isArray(spec.sidecars) ? spec.sidecars : []) {
      rename(sidecar, 'resources', 'computeResources');
    }
    if (Object.keys(deprecation).length) this.deprecations[key] = deprecation;
  }

  /** A v1beta1 `bundle` ref: the bundles resolver, as Tekton converts it. */
  bundleRef(ref: unknown, kind: 'Task' | 'Pipeline') {
    if (!isObject(ref) || !ref.bundle) {
      if (isObject(ref)) delete ref.bundle;
      return;
    }
    const { bundle, name } = ref;
    delete ref.bundle;
    delete ref.name;
    ref.resolver = 'bundles';
    ref.params = [
      { name: 'bundle', value: bundle },
      { name: 'name', value: name },
      { name: 'kind', value: kind },
    ];
  }

  pipelineSpec(spec: unknown, path: string) {
    if (!isObject(spec)) return;
    this.refuseResources(
      spec,
      path,
      'declare params for what they gave and workspaces for the files the tasks share',
    );
    for (const lane of ['tasks', 'finally']) {
      const tasks = Array.isArray(spec[lane]) ? spec[lane] : [];
      tasks.forEach((task: unknown, i: number) => {
        if (!isObject(task)) return;
        const at = `${path}.${lane}[${i}]`;
        this.refuseResources(
          task,
          at,
          "pass the task params and bind the workspaces it declares instead (the task's own resources must go too)",
        );
        this.bundleRef(task.taskRef, 'Task');
        this.bundleRef(task.pipelineRef, 'Pipeline');
        this.taskSpec(task.taskSpec, String(task.name ?? ''), `${at}.taskSpec`);
      });
    }
  }
}

/**
 * A Task or Pipeline at tekton.dev/v1: a v1beta1 one converted as Tekton
 * converts it, a v1 one as it is. The input is not modified. Throws
 * {@link V1beta1ConversionError} for what v1 cannot hold (PipelineResources),
 * and for other kinds or API versions.
 * @public
 */
export function convertV1beta1ToV1<T extends Json>(object: T): T {
  if (object.apiVersion === TEKTON_API_VERSION) return object;
  const what = `${object.kind ?? 'object'} ${JSON.stringify(
    object.metadata?.name ?? '',
  )}`;
  if (object.apiVersion !== TEKTON_V1BETA1_API_VERSION) {
    throw new V1beta1ConversionError([
      `apiVersion: ${what} is ${JSON.stringify(
        object.apiVersion ?? null,
      )}; only ${TEKTON_V1BETA1_API_VERSION} converts to ${TEKTON_API_VERSION}`,
    ]);
  }
  if (object.kind !== 'Task' && object.kind !== 'Pipeline') {
    throw new V1beta1ConversionError([
      `kind: ${JSON.stringify(
        object.kind ?? null,
      )} does not convert here; Tasks and Pipelines do`,
    ]);
  }
  const converted: Json = structuredClone(object);
  converted.apiVersion = TEKTON_API_VERSION;
  const conversion = new Conversion();
  if (converted.kind === 'Task') {
    conversion.taskSpec(
      converted.spec,
      String(converted.metadata?.name ?? ''),
      'spec',
    );
  } else {
    conversion.pipelineSpec(converted.spec, 'spec');
  }
  if (conversion.problems.length) {
    throw new V1beta1ConversionError(conversion.problems);
  }
  if (Object.keys(conversion.deprecations).length) {
    if (!isObject(converted.metadata)) converted.metadata = {};
    converted.metadata.annotations = {
      ...converted.metadata.annotations,
      [TASK_DEPRECATIONS_ANNOTATION]: JSON.stringify(conversion.deprecations),
    };
  }
  return converted as T;
}

/**
 * The builder's text, when it is a tekton.dev/v1beta1 Pipeline: its v1 YAML
 * (as the builder writes a Pipeline: comments and layout are not kept), or
 * why it does not convert. `undefined` for any other text, which the
 * builder's own parse reports on.
 * @public
 */
export function convertV1beta1PipelineYaml(
  text: string,
): { yaml: string } | { problems: string[] } | undefined {
  const doc = parseYamlDocument(text);
  if (doc.errors.length) return undefined;
  let value: unknown;
  try {
    value = doc.toJS();
  } catch {
    // Aliases beyond the parser's limit: the builder's parse says so.
    return undefined;
  }
  if (
    !isObject(value) ||
    value.apiVersion !== TEKTON_V1BETA1_API_VERSION ||
    value.kind !== 'Pipeline'
  ) {
    return undefined;
  }
  try {
    return { yaml: pipelineToYaml(convertV1beta1ToV1(value) as Pipeline) };
  } catch (e) {
    if (e instanceof V1beta1ConversionError) return { problems: e.problems };
    throw e;
  }
}
