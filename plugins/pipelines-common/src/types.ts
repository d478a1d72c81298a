/*
 * The subset of Tekton Pipelines `tekton.dev/v1` that the portal reads and
 * writes. Every object keeps an index signature so that fields Cairn does not
 * model (podTemplate, matrix details, provenance, …) survive a round trip
 * through the portal unchanged.
 */

import { TEKTON_API } from './constants';
import type { CancelMode } from './requests';

/** Tekton's API group and the version Cairn speaks, as objects name them. @public */
export const TEKTON_API_VERSION =
  `${TEKTON_API.group}/${TEKTON_API.version}` as const;

/**
 * Kubernetes object metadata, as far as the portal uses it.
 * @public
 */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * A knative-style condition; Tekton reports a run's outcome on the
 * condition of type `Succeeded`.
 * @public
 */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  [key: string]: unknown;
}

/** The type of a param or result. @public */
export type ParamType = 'string' | 'array' | 'object';

/** A param or result value: Tekton's three shapes. @public */
export type ParamValue = string | string[] | Record<string, string>;

/** A declared param of a Pipeline or Task (`ParamSpec`). @public */
export interface ParamSpec {
  name: string;
  /** Defaults to `string`, or to the type of `default` when it is set. */
  type?: ParamType;
  description?: string;
  /** Keys of an object param, each of type string. */
  properties?: Record<string, { type?: 'string' }>;
  default?: ParamValue;
  /** Allowed values of a string param (Tekton's `enable-param-enum`). */
  enum?: string[];
  [key: string]: unknown;
}

/** A param passed to a run or a PipelineTask. @public */
export interface Param {
  name: string;
  value: ParamValue;
  [key: string]: unknown;
}

/** A `when` expression guarding a PipelineTask. @public */
export interface WhenExpression {
  input?: string;
  operator?: 'in' | 'notin';
  values?: string[];
  /** A CEL expression (alpha), instead of input/operator/values. */
  cel?: string;
  [key: string]: unknown;
}

/** A result declared by a Task. @public */
export interface TaskResultSpec {
  name: string;
  type?: ParamType;
  description?: string;
  properties?: Record<string, { type?: 'string' }>;
  [key: string]: unknown;
}

/** A result declared by a Pipeline, computed from its tasks' results. @public */
export interface PipelineResultSpec {
  name: string;
  type?: ParamType;
  description?: string;
  value: ParamValue;
  [key: string]: unknown;
}

/** A result value reported in a run's status. @public */
export interface RunResult {
  name: string;
  value: ParamValue;
  type?: ParamType;
  [key: string]: unknown;
}

/** A workspace declared by a Task. @public */
export interface TaskWorkspaceDeclaration {
  name: string;
  description?: string;
  mountPath?: string;
  readOnly?: boolean;
  optional?: boolean;
  [key: string]: unknown;
}

/** A workspace declared by a Pipeline. @public */
export interface PipelineWorkspaceDeclaration {
  name: string;
  description?: string;
  optional?: boolean;
  [key: string]: unknown;
}

/** Binds a Pipeline workspace to a PipelineTask's workspace. @public */
export interface WorkspacePipelineTaskBinding {
  name: string;
  workspace?: string;
  subPath?: string;
  [key: string]: unknown;
}

/**
 * Binds a workspace of a run to a volume; exactly one volume source is set.
 * @public
 */
export interface WorkspaceBinding {
  name: string;
  subPath?: string;
  emptyDir?: Record<string, unknown>;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  volumeClaimTemplate?: Record<string, unknown>;
  configMap?: { name: string; [key: string]: unknown };
  secret?: { secretName: string; [key: string]: unknown };
  projected?: Record<string, unknown>;
  csi?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A step of a Task: one container of the TaskRun's pod. @public */
export interface Step {
  name?: string;
  displayName?: string;
  image?: string;
  command?: string[];
  args?: string[];
  script?: string;
  workingDir?: string;
  env?: Array<{ name: string; value?: string; [key: string]: unknown }>;
  /** Kubernetes resource requests and limits, e.g. `{ limits: { memory: '1Gi' } }`. */
  computeResources?: {
    requests?: Record<string, string>;
    limits?: Record<string, string>;
  };
  onError?: 'continue' | 'stopAndFail';
  timeout?: string;
  /** A StepAction to run instead of an image and script. */
  ref?: { name?: string; resolver?: string; params?: Param[] };
  [key: string]: unknown;
}

/** Defaults for every step of a Task (a container without name and script). @public */
export type StepTemplate = Omit<Step, 'name' | 'script' | 'ref'>;

/** A container that runs beside a Task's steps, e.g. a registry or a database. @public */
export interface Sidecar extends Omit<Step, 'ref' | 'onError' | 'timeout'> {
  name?: string;
}

/** The body of a Task, also embedded in a PipelineTask as `taskSpec`. @public */
export interface TaskSpec {
  displayName?: string;
  description?: string;
  params?: ParamSpec[];
  steps?: Step[];
  results?: TaskResultSpec[];
  workspaces?: TaskWorkspaceDeclaration[];
  sidecars?: Sidecar[];
  stepTemplate?: StepTemplate;
  volumes?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/** A reference to a Task, by name or through a resolver. @public */
export interface TaskRef {
  name?: string;
  kind?: string;
  apiVersion?: string;
  resolver?: string;
  params?: Param[];
  [key: string]: unknown;
}

/** A reference to a Pipeline, by name or through a resolver. @public */
export interface PipelineRef {
  name?: string;
  apiVersion?: string;
  resolver?: string;
  params?: Param[];
  [key: string]: unknown;
}

/** A task of a Pipeline (in `tasks` or `finally`). @public */
export interface PipelineTask {
  name: string;
  displayName?: string;
  description?: string;
  taskRef?: TaskRef;
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
  /** A Go duration, e.g. `1h30m`; `0` means no timeout. */
  timeout?: string;
  workspaces?: WorkspacePipelineTaskBinding[];
  /** `continue` lets the pipeline go on when this task fails. */
  onError?: 'continue' | 'stopAndFail';
  /** Fans the task out over every combination of these params. */
  matrix?: {
    params?: Param[];
    /** Extra combinations, or params added to the matching ones. */
    include?: Array<{ name?: string; params?: Param[] }>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** The body of a Pipeline, also embedded in a PipelineRun. @public */
export interface PipelineSpec {
  displayName?: string;
  description?: string;
  params?: ParamSpec[];
  tasks?: PipelineTask[];
  finally?: PipelineTask[];
  workspaces?: PipelineWorkspaceDeclaration[];
  results?: PipelineResultSpec[];
  [key: string]: unknown;
}

/** A Tekton Task. @public */
export interface Task {
  apiVersion?: string;
  kind?: 'Task';
  metadata: ObjectMeta;
  spec: TaskSpec;
  [key: string]: unknown;
}

/** A Tekton Pipeline. @public */
export interface Pipeline {
  apiVersion?: string;
  kind?: 'Pipeline';
  metadata: ObjectMeta;
  spec: PipelineSpec;
  [key: string]: unknown;
}

/**
 * Values a user sets in a PipelineRun's `spec.status` to hold, cancel or
 * stop it.
 * @public
 */
export type PipelineRunSpecStatus = CancelMode | 'PipelineRunPending';

/** Timeouts of a PipelineRun, as Go durations. @public */
export interface PipelineRunTimeouts {
  pipeline?: string;
  tasks?: string;
  finally?: string;
}

/** A TaskRun or CustomRun created for a PipelineTask. @public */
export interface ChildReference {
  apiVersion?: string;
  kind?: string;
  name: string;
  displayName?: string;
  pipelineTaskName: string;
  whenExpressions?: WhenExpression[];
  [key: string]: unknown;
}

/** A PipelineTask that did not run, and why. @public */
export interface SkippedTask {
  name: string;
  reason?: string;
  whenExpressions?: WhenExpression[];
  [key: string]: unknown;
}

/** The status fields shared by PipelineRuns and TaskRuns. @public */
export interface RunStatusFields {
  conditions?: Condition[];
  startTime?: string;
  completionTime?: string;
  observedGeneration?: number;
  [key: string]: unknown;
}

/** A run of a Pipeline. @public */
export interface PipelineRun {
  apiVersion?: string;
  kind?: 'PipelineRun';
  metadata: ObjectMeta;
  spec: {
    pipelineRef?: PipelineRef;
    pipelineSpec?: PipelineSpec;
    params?: Param[];
    status?: PipelineRunSpecStatus;
    timeouts?: PipelineRunTimeouts;
    taskRunTemplate?: {
      serviceAccountName?: string;
      podTemplate?: Record<string, unknown>;
      [key: string]: unknown;
    };
    workspaces?: WorkspaceBinding[];
    taskRunSpecs?: Array<{ pipelineTaskName: string; [key: string]: unknown }>;
    [key: string]: unknown;
  };
  status?: RunStatusFields & {
    pipelineSpec?: PipelineSpec;
    childReferences?: ChildReference[];
    skippedTasks?: SkippedTask[];
    results?: RunResult[];
    finallyStartTime?: string;
  };
  [key: string]: unknown;
}

/**
 * The state of one step container, as Kubernetes reports a container state.
 * @public
 */
export interface StepState {
  name?: string;
  container?: string;
  imageID?: string;
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: {
    exitCode: number;
    reason?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    [key: string]: unknown;
  };
  terminationReason?: string;
  results?: RunResult[];
  [key: string]: unknown;
}

/** A run of a Task, usually created by a PipelineRun. @public */
export interface TaskRun {
  apiVersion?: string;
  kind?: 'TaskRun';
  metadata: ObjectMeta;
  spec: {
    taskRef?: TaskRef;
    taskSpec?: TaskSpec;
    params?: Param[];
    serviceAccountName?: string;
    status?: 'TaskRunCancelled';
    retries?: number;
    timeout?: string;
    workspaces?: WorkspaceBinding[];
    [key: string]: unknown;
  };
  status?: RunStatusFields & {
    podName?: string;
    steps?: StepState[];
    results?: RunResult[];
    retriesStatus?: Array<RunStatusFields & { [key: string]: unknown }>;
    taskSpec?: TaskSpec;
    sidecars?: StepState[];
  };
  [key: string]: unknown;
}
