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

/**
 * A Stone and the catalog entity it belongs to (a list entry's `entityRef`):
 * one Stone's routes name the entity, on which the server checks permissions.
 * @public
 */
export type EntityStoneRef = StoneRef & { entityRef: string };

/** The rollouts backend (`/api/rollouts`), as the UI uses it. @public */
export interface RolloutsApi {
  /** The entity's Stones, or, without an entity, every Stone the user may read. */
  listStones(options?: { entityRef?: string }): Promise<StoneList>;
  getStone(stone: EntityStoneRef): Promise<StoneDetail>;
  approveStage(
    stone: EntityStoneRef,
    request: ApproveStageRequest,
  ): Promise<StoneDetail>;
  startUpdate(
    stone: EntityStoneRef,
    request: StartUpdateRequest,
  ): Promise<StoneDetail>;
  pause(
    stone: EntityStoneRef,
    request: StoneActionRequest,
  ): Promise<StoneDetail>;
  resume(
    stone: EntityStoneRef,
    request: StoneActionRequest,
  ): Promise<StoneDetail>;
  abort(
    stone: EntityStoneRef,
    request: StoneActionRequest,
  ): Promise<StoneDetail>;
  rollback(
    stone: EntityStoneRef,
    request: RollbackRequest,
  ): Promise<StoneDetail>;
}

/** @public */
export const rolloutsApiRef = createApiRef<RolloutsApi>({
  id: 'plugin.rollouts.api',
});
