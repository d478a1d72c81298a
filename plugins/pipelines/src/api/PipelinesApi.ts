import { createApiRef } from '@backstage/core-plugin-api';
import type { ParamValues } from '@cairn/plugin-pipelines-common';
import {
  CancelMode,
  CreatePipelineRequest,
  PipelineDefinition,
  PipelineDefinitionRef,
  PipelineTargets,
  TasksList,
  UpdatePipelineRequest,
  RunChange,
  PipelinesList,
  StepLog,
  StepLogMatches,
  StepLogRange,
  StepRef,
  ListRunsQuery,
  RunDetails,
  RunRef,
  RunsPage,
  StartRunRequest,
} from './types';

/**
 * The pipelines backend as the frontend uses it. Calls name the catalog
 * entity the runs belong to and the server checks the caller's permission on
 * it; the lists and the event stream, called without one, cover every entity
 * the caller may read runs of.
 * @public
 */
export interface PipelinesApi {
  listRuns(query: ListRunsQuery): Promise<RunsPage>;
  getRun(entityRef: string, run: RunRef): Promise<RunDetails>;
  /** The entity's Pipelines; without `entityRef`, those of every entity the user may read. */
  listPipelines(entityRef?: string): Promise<PipelinesList>;
  /**
   * Receives the entity's run changes (every readable entity's without
   * `entityRef`) as the backend pushes them (server-sent events); resolves
   * when the stream ends or `signal` aborts, rejects when it cannot be opened.
   */
  watchRuns(
    entityRef: string | undefined,
    onChanges: (changes: RunChange[]) => void,
    signal: AbortSignal,
  ): Promise<void>;
  /** A step's log as it is now, or the part of it `range` asks for. */
  getStepLog(
    entityRef: string,
    run: RunRef,
    step: StepRef,
    range?: StepLogRange,
  ): Promise<StepLog>;
  /**
   * Follows a running step's log (from its last `tail` bytes if given):
   * `onOpen` gets where the log stands, `onText` each chunk as the container
   * writes it; resolves when the step ends or `signal` aborts.
   */
  followStepLog(
    entityRef: string,
    run: RunRef,
    step: StepRef,
    onText: (chunk: string) => void,
    signal: AbortSignal,
    options?: { tail?: number; onOpen?: (log: Omit<StepLog, 'text'>) => void },
  ): Promise<void>;
  /** The lines of a step's log that contain `query` (searched on the server). */
  searchStepLog(
    entityRef: string,
    run: RunRef,
    step: StepRef,
    query: string,
  ): Promise<StepLogMatches>;
  startRun(entityRef: string, request: StartRunRequest): Promise<RunRef>;
  rerun(entityRef: string, run: RunRef, params: ParamValues): Promise<RunRef>;
  cancelRun(entityRef: string, run: RunRef, mode: CancelMode): Promise<void>;
  /** Starts a run held with `spec.status: PipelineRunPending`. */
  startPendingRun(entityRef: string, run: RunRef): Promise<void>;
  deleteRun(entityRef: string, run: RunRef): Promise<void>;
  /** A Pipeline as the cluster has it, with the resourceVersion an update must send back. */
  getPipeline(
    entityRef: string,
    ref: PipelineDefinitionRef,
  ): Promise<PipelineDefinition>;
  /** Creates a Pipeline; a ResponseError with status 409 when the name is taken. */
  createPipeline(
    entityRef: string,
    request: CreatePipelineRequest,
  ): Promise<PipelineDefinition>;
  /**
   * Replaces a Pipeline; a ResponseError with status 409 when someone changed
   * it since `request.resourceVersion` (nothing is overwritten).
   */
  updatePipeline(
    entityRef: string,
    ref: PipelineDefinitionRef,
    request: UpdatePipelineRequest,
  ): Promise<PipelineDefinition>;
  /** The Tasks of a namespace, for the builder's task picker. */
  listTasks(
    entityRef: string,
    where: { cluster: string; namespace: string },
  ): Promise<TasksList>;
  /** Where the entity's Pipelines may be created. */
  getTargets(entityRef: string): Promise<PipelineTargets>;
}

/** @public */
export const pipelinesApiRef = createApiRef<PipelinesApi>({
  id: 'plugin.pipelines.service',
});
