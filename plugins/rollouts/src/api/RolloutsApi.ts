import { createApiRef } from '@backstage/core-plugin-api';
import type {
  ApproveStageRequest,
  RollbackRequest,
  StartUpdateRequest,
  StoneActionRequest,
  StoneDetail,
  StoneList,
  StoneRef,
} from '@cairn/plugin-rollouts-common';

/** The rollouts backend (`/api/rollouts`), as the UI uses it. @public */
export interface RolloutsApi {
  /** The entity's Stones, or, without an entity, every Stone the user may read. */
  listStones(options?: { entityRef?: string }): Promise<StoneList>;
  getStone(stone: StoneRef): Promise<StoneDetail>;
  approveStage(
    stone: StoneRef,
    request: ApproveStageRequest,
  ): Promise<StoneDetail>;
  startUpdate(
    stone: StoneRef,
    request: StartUpdateRequest,
  ): Promise<StoneDetail>;
  pause(stone: StoneRef, request: StoneActionRequest): Promise<StoneDetail>;
  resume(stone: StoneRef, request: StoneActionRequest): Promise<StoneDetail>;
  abort(stone: StoneRef, request: StoneActionRequest): Promise<StoneDetail>;
  rollback(stone: StoneRef, request: RollbackRequest): Promise<StoneDetail>;
}

/** @public */
export const rolloutsApiRef = createApiRef<RolloutsApi>({
  id: 'plugin.rollouts.api',
});
