import type {
  PipelineRunTimeouts,
  RunSortField,
  RunStatus,
  WorkspaceBinding,
} from '@cairn/plugin-pipelines-common';

export type {
  ClusterError,
  CreatePipelineRequest,
  PipelineDefinition,
  PipelineTargets,
  TaskSummary,
  TasksList,
  UpdatePipelineRequest,
  RunChange,
  PipelineSummary,
  PipelinesList,
  RunDetails,
  RunRef,
  RunSortField,
  RunsPage,
  RunSummary,
  RunTaskState,
} from '@cairn/plugin-pipelines-common';

/*
 * The request shapes of the pipelines backend
 * (`plugins/pipelines-backend/src/service/{router,schemas,runQuery,PipelineRunsService}.ts`).
 */

/** Query of `GET /runs`. @public */
export interface ListRunsQuery {
  /** Runs of this entity; without it, of every entity the user may read. */
  entityRef?: string;
  /** Without `entityRef`: runs of these entities only (among those the user may read). */
  entity?: string[];
  status?: RunStatus[];
  pipeline?: string[];
  cluster?: string;
  namespace?: string;
  /** An extra label selector, ANDed with the entity's. */
  label?: string;
  search?: string;
  sort?: RunSortField;
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
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

/** Identifies a Pipeline the builder loads and saves. @public */
export interface PipelineDefinitionRef {
  cluster: string;
  namespace: string;
  name: string;
}
