import { createApiRef } from '@backstage/core-plugin-api';
import type {
  ApproveStageRequest,
  RollbackRequest,
  StartUpdateRequest,
  StoneActionRequest,
  StoneDetail,
  StoneList,
  StoneRef,
  StoneSummary,
} from '@cairn/plugin-rollouts-common';

/**
 * A Stone and the catalog entity it belongs to (a list entry's `entityRef`):
 * one Stone's routes name the entity, on which the server checks permissions.
 * @public
 */
export type EntityStoneRef = StoneRef & { entityRef: string };

/**
 * The rollouts backend (`/api/rollouts`), as the UI uses it. A change answers
 * the Stone's summary as patched; its detail follows with the operator.
 * @public
 */
export interface RolloutsApi {
  /** The entity's Stones, or, without an entity, every Stone the user may read. */
  listStones(options?: { entityRef?: string }): Promise<StoneList>;
  getStone(stone: EntityStoneRef): Promise<StoneDetail>;
  approveStage(
    stone: EntityStoneRef,
    request: ApproveStageRequest,
  ): Promise<StoneSummary>;
  startUpdate(
    stone: EntityStoneRef,
    request: StartUpdateRequest,
  ): Promise<StoneSummary>;
  pause(
    stone: EntityStoneRef,
    request: StoneActionRequest,
  ): Promise<StoneSummary>;
  resume(
    stone: EntityStoneRef,
    request: StoneActionRequest,
  ): Promise<StoneSummary>;
  abort(
    stone: EntityStoneRef,
    request: StoneActionRequest,
  ): Promise<StoneSummary>;
  rollback(
    stone: EntityStoneRef,
    request: RollbackRequest,
  ): Promise<StoneSummary>;
}

/** @public */
export const rolloutsApiRef = createApiRef<RolloutsApi>({
  id: 'plugin.rollouts.api',
});
