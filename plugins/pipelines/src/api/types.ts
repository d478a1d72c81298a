import {
  ParamFormField,
  PipelineGraph,
  PipelineGraphNodeRunState,
  PipelineRun,
  PipelineRunTimeouts,
  RunStatus,
  RunStatusSummary,
  TaskProgress,
  TaskRun,
  WorkspaceBinding,
} from '@cairn/plugin-pipelines-common';

/*
 * The response and request shapes of the pipelines backend
 * (`plugins/pipelines-backend/src/service/{router,schemas,runQuery,PipelineRunsService}.ts`).
 */

/** Fields the runs list sorts by. @public */
export type RunSortField =
  | 'started'
  | 'created'
  | 'completed'
  | 'name'
  | 'pipeline'
  | 'status'
  | 'duration';

/** What the runs list shows of a run. @public */
export interface RunSummary {
  cluster: string;
  namespace: string;
  name: string;
  uid?: string;
  pipeline?: string;
  status: RunStatusSummary;
  /** `rerun` (Cairn or Tekton Dashboard), `event` (Tekton Triggers), `other`. */
  trigger: 'rerun' | 'event' | 'other';
  rerunOf?: string;
  createdAt?: string;
  startTime?: string;
  completionTime?: string;
  durationMs?: number;
  progress: TaskProgress;
  labels: Record<string, string>;
}

/** A page of the runs list. @public */
export interface RunsPage {
  items: RunSummary[];
  totalCount: number;
  nextCursor?: string;
  /** Clusters that could not be read; their runs are missing from the page. */
  clusterErrors: Array<{ cluster: string; message: string }>;
}

/** Query of `GET /runs`. @public */
export interface ListRunsQuery {
  entityRef: string;
  status?: RunStatus[];
  pipeline?: string[];
  namespace?: string;
  /** An extra label selector, ANDed with the entity's. */
  label?: string;
  search?: string;
  sort?: RunSortField;
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
}

/** One PipelineTask of a run's graph with its live state. @public */
export type RunTaskState = Omit<PipelineGraphNodeRunState<TaskRun>, 'runs'> & {
  taskRuns: string[];
};

/** A run with everything its detail page shows. @public */
export interface RunDetails {
  summary: RunSummary;
  run: PipelineRun;
  taskRuns: TaskRun[];
  graph?: PipelineGraph;
  tasks: Record<string, RunTaskState>;
  /** The rerun form: the pipeline's params, pre-filled with this run's values. */
  paramForm?: ParamFormField[];
}

/** A Pipeline of an entity, with what its start form needs. @public */
export interface PipelineSummary {
  cluster: string;
  namespace: string;
  name: string;
  displayName?: string;
  description?: string;
  /** One field per declared param, with type, default, enum and keys. */
  params: ParamFormField[];
  workspaces: Array<{ name: string; description?: string; optional: boolean }>;
  graph: PipelineGraph;
}

/** An entity's Pipelines (`GET /pipelines`). @public */
export interface PipelinesList {
  items: PipelineSummary[];
  clusterErrors: Array<{ cluster: string; message: string }>;
}

/** Which step's log to read. @public */
export interface StepRef {
  taskRun: string;
  step: string;
}

/** A step's log and where the server read it from. @public */
export interface StepLog {
  /** `pod` while the pod exists, `archive` from the portal database after. */
  source: string;
  text: string;
}

/** Identifies a run. @public */
export interface RunRef {
  cluster: string;
  namespace: string;
  name: string;
}

/** Body of `POST /runs`. @public */
export interface StartRunRequest {
  cluster: string;
  namespace: string;
  pipeline: string;
  /** Param values as entered; the server validates them against the Pipeline. */
  params: Record<string, unknown>;
  serviceAccountName?: string;
  timeouts?: PipelineRunTimeouts;
  workspaces?: WorkspaceBinding[];
  /** Create the run held (`spec.status: PipelineRunPending`), to start later. */
  pending?: boolean;
}

/** Tekton's three ways to cancel a PipelineRun. @public */
export type CancelMode =
  | 'Cancelled'
  | 'CancelledRunFinally'
  | 'StoppedRunFinally';

/** A change of one of an entity's runs, pushed by `GET /runs/events`. @public */
export type RunChange =
  | { type: 'run'; run: RunSummary }
  | { type: 'deleted'; run: RunRef };
