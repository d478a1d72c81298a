/*
 * The parts of Tekton Pipelines' v1 API (tekton.dev/v1) the dev cluster's
 * controller reads and writes. Field names follow pkg/apis/pipeline/v1.
 */

export type ParamValue = string | string[] | Record<string, string>;

export interface ParamSpec {
  name: string;
  type?: 'string' | 'array' | 'object';
  description?: string;
  properties?: Record<string, { type?: string }>;
  default?: ParamValue;
}

export interface Param {
  name: string;
  value: ParamValue;
}

/** A taskRef or pipelineRef: by name, or through a resolver with params. */
export interface ObjectRef {
  name?: string;
  resolver?: string;
  params?: Param[];
}

export interface WhenExpression {
  input: string;
  operator: 'in' | 'notin';
  values: string[];
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
  readOnly?: boolean;
}

/** A sidecar, and the container part of a step: a container with an optional script. */
export interface Sidecar {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  script?: string;
  workingDir?: string;
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  volumeMounts?: VolumeMount[];
  /** The workspaces isolated to this step or sidecar (beta), with their mountPath here. */
  workspaces?: Array<{ name: string; mountPath?: string }>;
  [field: string]: unknown;
}

/** A StepAction's spec: a step's container part with params and results. */
export interface StepActionSpec extends Sidecar {
  params?: ParamSpec[];
  results?: TaskResultSpec[];
}

export interface Step extends Sidecar {
  /** A StepAction the step runs (by name; resolvers need the network). */
  ref?: ObjectRef;
  /** Values for the StepAction's params. */
  params?: Param[];
  /** Step results, written to `$(step.results.<r>.path)`. */
  results?: TaskResultSpec[];
  /** `continue` or `stopAndFail`, or a `$(params…)` reference. */
  onError?: string;
  timeout?: string;
}

export interface TaskResultSpec {
  name: string;
  type?: 'string' | 'array' | 'object';
  description?: string;
  /** A Task result taken from a step's: `$(steps.<step>.results.<r>)`. */
  value?: ParamValue;
}

export interface WorkspaceDeclaration {
  name: string;
  description?: string;
  mountPath?: string;
  readOnly?: boolean;
  optional?: boolean;
}

export interface TaskSpec {
  params?: ParamSpec[];
  steps?: Step[];
  stepTemplate?: Partial<Step>;
  sidecars?: Sidecar[];
  results?: TaskResultSpec[];
  workspaces?: WorkspaceDeclaration[];
  volumes?: TaskVolume[];
  description?: string;
  displayName?: string;
  [field: string]: unknown;
}

export interface WorkspacePipelineTaskBinding {
  name: string;
  workspace?: string;
  subPath?: string;
}

export interface PipelineTask {
  name: string;
  displayName?: string;
  taskRef?: {
    name?: string;
    kind?: string;
    apiVersion?: string;
    resolver?: string;
    params?: Param[];
  };
  taskSpec?: TaskSpec & {
    metadata?: {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
  };
  runAfter?: string[];
  params?: Param[];
  when?: WhenExpression[];
  retries?: number;
  timeout?: string;
  workspaces?: WorkspacePipelineTaskBinding[];
  /** `continue` or `stopAndFail`, or a `$(params…)` reference. */
  onError?: string;
  matrix?: {
    params?: Param[];
    include?: Array<{ name?: string; params?: Param[] }>;
  };
  [field: string]: unknown;
}

export interface PipelineResultSpec {
  name: string;
  type?: 'string' | 'array' | 'object';
  description?: string;
  value: ParamValue;
}

export interface PipelineSpec {
  tasks?: PipelineTask[];
  finally?: PipelineTask[];
  params?: ParamSpec[];
  workspaces?: Array<{ name: string; optional?: boolean }>;
  results?: PipelineResultSpec[];
  description?: string;
  displayName?: string;
}

export interface KeyItem {
  key: string;
  path: string;
}
type KeyItems = KeyItem[];

/** The volume sources whose files come from ConfigMaps and Secrets. */
export interface ObjectVolumeSource {
  configMap?: { name: string; items?: KeyItems };
  secret?: { secretName: string; items?: KeyItems };
  projected?: {
    sources?: Array<{
      configMap?: { name: string; items?: KeyItems };
      secret?: { name: string; items?: KeyItems };
    }>;
  };
}

export interface WorkspaceBinding extends ObjectVolumeSource {
  name: string;
  subPath?: string;
  emptyDir?: Record<string, unknown>;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  volumeClaimTemplate?: Record<string, any>;
}

/** A Task's volume (`spec.volumes`), as a pod's. */
export interface TaskVolume extends ObjectVolumeSource {
  name: string;
  [field: string]: unknown;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  ownerReferences?: Array<Record<string, unknown>>;
  deletionTimestamp?: string;
}

export interface RunResult {
  name: string;
  type?: 'string' | 'array' | 'object';
  value: ParamValue;
}

export interface StepState {
  name: string;
  container: string;
  imageID?: string;
  terminated?: {
    exitCode: number;
    reason?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    containerID?: string;
  };
  running?: { startedAt?: string };
  waiting?: { reason?: string; message?: string };
  terminationReason?: string;
}

export interface TaskRunStatus {
  conditions?: Condition[];
  podName?: string;
  startTime?: string;
  completionTime?: string;
  steps?: StepState[];
  sidecars?: Array<Omit<StepState, 'terminationReason'>>;
  results?: RunResult[];
  retriesStatus?: TaskRunStatus[];
  taskSpec?: TaskSpec;
}

export interface TaskRun {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    taskRef?: ObjectRef & { kind?: string };
    taskSpec?: TaskSpec;
    params?: Param[];
    serviceAccountName?: string;
    status?: 'TaskRunCancelled' | 'TaskRunPending';
    statusMessage?: string;
    retries?: number;
    timeout?: string;
    workspaces?: WorkspaceBinding[];
    /** Of Tekton's pod template, the dev cluster uses the volumes. */
    podTemplate?: { volumes?: TaskVolume[]; [field: string]: unknown };
  };
  status?: TaskRunStatus;
}

export interface SkippedTask {
  name: string;
  reason: string;
  whenExpressions?: WhenExpression[];
}

export interface ChildReference {
  apiVersion: string;
  kind: string;
  name: string;
  pipelineTaskName: string;
  displayName?: string;
  whenExpressions?: WhenExpression[];
}

export interface PipelineRunStatus {
  conditions?: Condition[];
  startTime?: string;
  completionTime?: string;
  finallyStartTime?: string;
  pipelineSpec?: PipelineSpec;
  results?: RunResult[];
  skippedTasks?: SkippedTask[];
  childReferences?: ChildReference[];
}

export interface PipelineRunTimeouts {
  pipeline?: string;
  tasks?: string;
  finally?: string;
}

export type PipelineRunSpecStatus =
  | 'Cancelled'
  | 'CancelledRunFinally'
  | 'StoppedRunFinally'
  | 'PipelineRunPending';

export interface PipelineRun {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    pipelineRef?: ObjectRef;
    pipelineSpec?: PipelineSpec;
    params?: Param[];
    status?: PipelineRunSpecStatus;
    timeouts?: PipelineRunTimeouts;
    taskRunTemplate?: { serviceAccountName?: string };
    workspaces?: WorkspaceBinding[];
    taskRunSpecs?: Array<{
      pipelineTaskName: string;
      serviceAccountName?: string;
      timeout?: string;
    }>;
  };
  status?: PipelineRunStatus;
}

export interface Pipeline {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: PipelineSpec;
}

export interface Task {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: TaskSpec;
}
