import { createApiRef } from '@backstage/core-plugin-api';
import {
  CancelMode,
  ListRunsQuery,
  RunDetails,
  RunRef,
  RunsPage,
  StartRunRequest,
} from './types';

/**
 * The pipelines backend as the frontend uses it. Every call names the
 * catalog entity the runs belong to; the server checks the caller's
 * permission on that entity.
 * @public
 */
export interface PipelinesApi {
  listRuns(query: ListRunsQuery): Promise<RunsPage>;
  getRun(entityRef: string, run: RunRef): Promise<RunDetails>;
  startRun(entityRef: string, request: StartRunRequest): Promise<RunRef>;
  rerun(
    entityRef: string,
    run: RunRef,
    params: Record<string, unknown>,
  ): Promise<RunRef>;
  cancelRun(entityRef: string, run: RunRef, mode: CancelMode): Promise<void>;
  deleteRun(entityRef: string, run: RunRef): Promise<void>;
}

/** @public */
export const pipelinesApiRef = createApiRef<PipelinesApi>({
  id: 'plugin.pipelines.service',
});
