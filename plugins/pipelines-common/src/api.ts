import type { ClusterError } from '@cairn/plugin-kubernetes-common';
import type { ParamFormField } from './params';
import type { PipelineGraph, PipelineGraphNodeRunState } from './dag';
import type { RunStatusSummary, TaskProgress } from './status';
import type { Pipeline, PipelineRun, Task, TaskRun } from './types';
import type { PipelineTrigger } from './triggers/annotations';

/*
 * The shapes the pipelines backend serves and the frontend reads: one
 * definition for both sides of `/api/pipelines`.
 */

/** Fields the runs list sorts by. @public */
export const RUN_SORT_FIELDS = [
  'started',
  'created',
  'completed',
  'name',
  'pipeline',
  'status',
  'duration',
] as const;

/** @public */
export type RunSortField = (typeof RUN_SORT_FIELDS)[number];

/** Identifies a run. @public */
export interface RunRef {
  cluster: string;
  namespace: string;
  name: string;
}

// Where a response says which clusters it could not read (one shape for
// every Cairn plugin).
export type { ClusterError } from '@cairn/plugin-kubernetes-common';

/** What the runs list shows of a run. @public */
export interface RunSummary extends RunRef {
  /**
   * The catalog entity the run belongs to, whose permissions apply to it
   * (detail, logs and actions are requested with it).
   */
  entityRef: string;
  uid?: string;
  pipeline?: string;
  status: RunStatusSummary;
  /** `rerun` (Cairn or Tekton Dashboard), `event` (Tekton Triggers), `other`. */
  trigger: 'rerun' | 'event' | 'other';
  rerunOf?: string;
  /** The user who started or reran it in the portal (`cairn.dev/started-by`). */
  startedBy?: string;
  createdAt?: string;
  startTime?: string;
  completionTime?: string;
  durationMs?: number;
  progress: TaskProgress;
  labels: Record<string, string>;
}

/** A page of the runs list (`GET /runs`). @public */
export interface RunsPage {
  items: RunSummary[];
  totalCount: number;
  nextCursor?: string;
  clusterErrors: ClusterError[];
}

/** One PipelineTask of a run's graph with its live state. @public */
export type RunTaskState = Omit<PipelineGraphNodeRunState<TaskRun>, 'runs'> & {
  taskRuns: string[];
};

/** A run with everything its detail page shows (`GET /runs/:cluster/:namespace/:name`). @public */
export interface RunDetails {
  summary: RunSummary;
  run: PipelineRun;
  taskRuns: TaskRun[];
  /** The graph of the pipeline the run executes; absent before it is known. */
  graph?: PipelineGraph;
  /** Live state per PipelineTask (graph node name). */
  tasks: Record<string, RunTaskState>;
  /** The rerun form: the pipeline's params, pre-filled with this run's values. */
  paramForm: ParamFormField[];
  /** The run's cluster when it is not followed live (`unreachableSince`). */
  clusterErrors: ClusterError[];
}

/** A Pipeline of an entity, with what its start form needs. @public */
export interface PipelineSummary {
  /** The catalog entity the Pipeline belongs to; start runs of it with this entity. */
  entityRef: string;
  cluster: string;
  namespace: string;
  name: string;
  displayName?: string;
  description?: string;
  /** One field per declared param, with type, default, enum and keys. */
  params: ParamFormField[];
  workspaces: Array<{ name: string; description?: string; optional: boolean }>;
  graph: PipelineGraph;
  /**
   * The ServiceAccounts a run of it may name (`pipelines.serviceAccounts`
   * for its namespace). Empty when none is configured: runs then use the
   * namespace's default account (or the Pipeline's own taskRunTemplate).
   */
  serviceAccounts: string[];
  /** What starts it from Git webhooks (`triggers.cairn.dev/*` annotations), if anything. */
  trigger?: PipelineTrigger;
}

/** An entity's Pipelines (`GET /pipelines`). @public */
export interface PipelinesList {
  items: PipelineSummary[];
  clusterErrors: ClusterError[];
}

/** A change of one of an entity's runs, pushed by `GET /runs/events`. @public */
export type RunChange =
  | { type: 'run'; run: RunSummary }
  | { type: 'deleted'; run: RunRef };

/** A Pipeline as the builder loads and saves it (`GET /pipelines/:cluster/:namespace/:name`). @public */
export interface PipelineDefinition {
  cluster: string;
  namespace: string;
  name: string;
  /** The version loaded; an update sends it back so a concurrent change is refused, not overwritten. */
  resourceVersion: string;
  /** The full object as the cluster has it. */
  pipeline: Pipeline;
}

/** A Task of a namespace, as the builder offers it. @public */
export interface TaskSummary {
  name: string;
  namespace: string;
  cluster: string;
  displayName?: string;
  description?: string;
  /** One field per declared param, with type, default, enum and keys. */
  params: ParamFormField[];
  workspaces: Array<{ name: string; description?: string; optional: boolean }>;
  results: Array<{ name: string; description?: string }>;
  task: Task;
}

/** The Tasks of a namespace (`GET /tasks`). @public */
export interface TasksList {
  items: TaskSummary[];
  clusterErrors: ClusterError[];
}

/** Where an entity's Pipelines may be created (`GET /targets`). @public */
export interface PipelineTargets {
  /** Its `backstage.io/kubernetes-cluster`, else every configured cluster. */
  clusters: string[];
  /** Its `backstage.io/kubernetes-namespace`, if it names one. */
  namespace?: string;
}
