/*
 * The request and response shapes of the pipelines backend, as
 * `@cairn/plugin-pipelines-common` defines them for both sides: the request
 * types are inferred from the zod schemas the backend validates with.
 */
import type { StepLogQuery } from '@cairn/plugin-pipelines-common';
import type { ObjectPath } from '@cairn/request-schemas';

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

/** A step's log, or the part of it read, and where the log stands. @public */
export interface StepLog {
  /** `live` while the step's log is still being written, then `archive`. */
  source: string;
  text: string;
  /** Byte offset of `text` in the log. */
  start: number;
  /** Bytes the step wrote so far. */
  size: number;
}

/**
 * Which bytes of a log to read: from `start` to `end`, or the last `tail`
 * bytes; a start inside a line moves to the next line. @public
 */
export interface StepLogRange {
  start?: number;
  end?: number;
  tail?: number;
}

/** Lines of a step's log matching a search, with their byte offsets. @public */
export interface StepLogMatches {
  matches: Array<{ offset: number; line: string }>;
  truncated: boolean;
}

/** Identifies a Pipeline the builder loads and saves. @public */
export type PipelineDefinitionRef = ObjectPath;
