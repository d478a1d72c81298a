/*
 * The request and response shapes of the pipelines backend, as
 * `@cairn/plugin-pipelines-common` defines them for both sides: the request
 * types are inferred from the zod schemas the backend validates with.
 */
import type { ObjectPath, StepLogQuery } from '@cairn/plugin-pipelines-common';

export type {
  CancelMode,
  ClusterError,
  CreatePipelineRequest,
  ListRunsQuery,
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
  StartRunRequest,
} from '@cairn/plugin-pipelines-common';

/** Which step's log to read. @public */
export type StepRef = Pick<StepLogQuery, 'taskRun' | 'step'>;

/** A step's log and where the server read it from. @public */
export interface StepLog {
  /** `pod` while the pod exists, `archive` from the portal database after. */
  source: string;
  text: string;
}

/** Identifies a Pipeline the builder loads and saves. @public */
export type PipelineDefinitionRef = ObjectPath;
