/*
 * The fields of Tekton's v1 Pipeline, as its Go types declare them
 * (pkg/apis/pipeline/v1: pipeline_types.go, task_types.go,
 * container_types.go, param_types.go, result_types.go, workspace_types.go,
 * when_types.go, matrix_types.go). Tekton's webhook decodes objects
 * strictly, so a field not listed here is refused. Kubernetes' own types
 * inside them (env, volumes, securityContext, probes, …) are not checked.
 */

/** Where a known field leads: its own fields, a list of items with them, or anything. */
type Shape = { fields: Fields } | { items: Fields } | 'any';
interface Fields {
  [field: string]: Shape;
}

const any: Shape = 'any';
const object = (fields: Fields): Shape => ({ fields });
const list = (fields: Fields): Shape => ({ items: fields });

const PROPERTIES = any; // map of name → { type }
const PARAM_SPEC = list({
  name: any,
  type: any,
  description: any,
  properties: PROPERTIES,
  default: any,
  enum: any,
});
const PARAMS = list({ name: any, value: any });
const REF: Fields = { name: any, resolver: any, params: PARAMS };
const RESULTS = list({
  name: any,
  type: any,
  properties: PROPERTIES,
  description: any,
  value: any,
});
const WHEN = list({ input: any, operator: any, values: any, cel: any });
const CONTAINER: Fields = {
  name: any,
  image: any,
  command: any,
  args: any,
  workingDir: any,
  envFrom: any,
  env: any,
  computeResources: any,
  volumeMounts: any,
  volumeDevices: any,
  imagePullPolicy: any,
  securityContext: any,
};
const WORKSPACE_USAGE = list({ name: any, mountPath: any });

const STEP: Fields = {
  ...CONTAINER,
  displayName: any,
  script: any,
  timeout: any,
  workspaces: WORKSPACE_USAGE,
  onError: any,
  stdoutConfig: object({ path: any }),
  stderrConfig: object({ path: any }),
  ref: object(REF),
  params: PARAMS,
  results: list({
    name: any,
    type: any,
    properties: PROPERTIES,
    description: any,
  }),
  when: WHEN,
};

const { name: _stepTemplateHasNoName, ...STEP_TEMPLATE } = CONTAINER;

const SIDECAR: Fields = {
  ...CONTAINER,
  ports: any,
  livenessProbe: any,
  readinessProbe: any,
  startupProbe: any,
  lifecycle: any,
  terminationMessagePath: any,
  terminationMessagePolicy: any,
  stdin: any,
  stdinOnce: any,
  tty: any,
  script: any,
  workspaces: WORKSPACE_USAGE,
  restartPolicy: any,
};

const TASK_SPEC: Fields = {
  params: PARAM_SPEC,
  displayName: any,
  description: any,
  steps: list(STEP),
  volumes: any,
  stepTemplate: object(STEP_TEMPLATE),
  sidecars: list(SIDECAR),
  workspaces: list({
    name: any,
    description: any,
    mountPath: any,
    readOnly: any,
    optional: any,
  }),
  results: RESULTS,
};

const PIPELINE_TASK: Fields = {
  name: any,
  displayName: any,
  description: any,
  taskRef: object({ ...REF, kind: any, apiVersion: any }),
  taskSpec: object({
    ...TASK_SPEC,
    // runtime.TypeExtension: a custom task's apiVersion, kind and spec.
    apiVersion: any,
    kind: any,
    spec: any,
    metadata: object({ labels: any, annotations: any }),
  }),
  when: WHEN,
  runAfter: any,
  retries: any,
  params: PARAMS,
  matrix: object({
    params: PARAMS,
    include: list({ name: any, params: PARAMS }),
  }),
  workspaces: list({ name: any, workspace: any, subPath: any }),
  timeout: any,
  pipelineRef: object({ ...REF, apiVersion: any }),
  // pipelineSpec: set below, a PipelineSpec again.
  onError: any,
};

const PIPELINE_SPEC: Fields = {
  displayName: any,
  description: any,
  tasks: list(PIPELINE_TASK),
  params: PARAM_SPEC,
  workspaces: list({ name: any, description: any, optional: any }),
  results: RESULTS,
  finally: list(PIPELINE_TASK),
};
PIPELINE_TASK.pipelineSpec = object(PIPELINE_SPEC);

const PIPELINE: Fields = {
  apiVersion: any,
  kind: any,
  metadata: object({
    name: any,
    generateName: any,
    namespace: any,
    selfLink: any,
    uid: any,
    resourceVersion: any,
    generation: any,
    creationTimestamp: any,
    deletionTimestamp: any,
    deletionGracePeriodSeconds: any,
    labels: any,
    annotations: any,
    ownerReferences: any,
    finalizers: any,
    managedFields: any,
  }),
  spec: object(PIPELINE_SPEC),
  status: any,
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How Go's encoding/json, which Tekton's webhook decodes with, matches a
 * key: the exact field name, else one differing only in case
 * (`mountpath` is read as `mountPath`).
 */
function fieldShape(fields: Fields, key: string): Shape | undefined {
  if (Object.prototype.hasOwnProperty.call(fields, key)) return fields[key];
  const folded = key.toLowerCase();
  const match = Object.keys(fields).find(f => f.toLowerCase() === folded);
  return match === undefined ? undefined : fields[match];
}

/**
 * The paths of the fields of a Pipeline that Tekton v1 does not have, as
 * Kubernetes' strict decoding names them (`spec.tasks[0].bogus`).
 */
export function findUnknownFields(pipeline: unknown): string[] {
  const unknown: string[] = [];
  // A stack of its own: a pipeline may hold thousands of tasks.
  const pending: Array<{ value: unknown; fields: Fields; path: string }> = [
    { value: pipeline, fields: PIPELINE, path: '' },
  ];
  while (pending.length) {
    const { value, fields, path } = pending.pop()!;
    if (!isObject(value)) continue;
    const children: typeof pending = [];
    for (const [key, child] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      const shape = fieldShape(fields, key);
      if (!shape) {
        unknown.push(at);
      } else if (shape !== 'any' && 'fields' in shape) {
        children.push({ value: child, fields: shape.fields, path: at });
      } else if (shape !== 'any' && Array.isArray(child)) {
        child.forEach((item, i) =>
          children.push({
            value: item,
            fields: shape.items,
            path: `${at}[${i}]`,
          }),
        );
      }
    }
    // In document order: the first child is taken next.
    pending.push(...children.reverse());
  }
  return unknown;
}
