import {
  AuthorizeResult,
  ConditionalPolicyDecision,
  createPermission,
  PermissionCondition,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';
import { STONE_STAGES, StoneStage } from '@cairn/operators-api';

/*
 * Reading and changing a Stone are resource permissions on the catalog
 * entity the Stone belongs to, so Cairn's policy ("ops, and owners of the
 * entity") decides them with the catalog's IS_ENTITY_OWNER rule. Approving a
 * stage is decided per stage (ops always, owners only for the stages the
 * config lists), so it has a resource of its own: one stage of one entity's
 * Stones.
 */
const RESOURCE_TYPE_CATALOG_ENTITY = 'catalog-entity';

/**
 * The resource of {@link rolloutsStageApprovePermission}: a stage of an
 * entity's Stones, referenced as `<entityRef>|<stage>`
 * ({@link formatStageResourceRef}).
 * @public
 */
export const RESOURCE_TYPE_ROLLOUTS_STAGE = 'rollouts-stage';

/** What a `rollouts-stage` resource ref names. @public */
export interface StageResource {
  /** The catalog entity of the Stone, e.g. `component:default/shop`. */
  entityRef: string;
  /** The stage to approve. */
  stage: StoneStage;
}

/** `component:default/shop|Beta`. @public */
export function formatStageResourceRef(resource: StageResource): string {
  return `${resource.entityRef}|${resource.stage}`;
}

/**
 * The entity and stage of a `rollouts-stage` resource ref; throws on a ref
 * that is not `<entityRef>|<stage>`.
 * @public
 */
export function parseStageResourceRef(resourceRef: string): StageResource {
  const separator = resourceRef.lastIndexOf('|');
  const entityRef = resourceRef.slice(0, separator);
  const stage = resourceRef.slice(separator + 1) as StoneStage;
  if (separator <= 0 || !STONE_STAGES.includes(stage)) {
    throw new TypeError(
      `"${resourceRef}" is not a rollouts-stage ref: expected <entityRef>|<stage>, the stage one of ${STONE_STAGES.join(
        ', ',
      )}`,
    );
  }
  return { entityRef, stage };
}

/**
 * Conditional rule on a `rollouts-stage`: the entity is owned by one of the
 * requester's ownership refs. The rollouts backend registers a rule of this
 * name and applies it against the catalog's `spec.owner`.
 * @public
 */
export const IS_STAGE_ENTITY_OWNER_RULE = 'IS_STAGE_ENTITY_OWNER';

/**
 * Conditional rule on a `rollouts-stage`: the stage is one of `stages`.
 * @public
 */
export const IS_STAGE_RULE = 'IS_STAGE';

type StageCriteria = PermissionCriteria<
  PermissionCondition<typeof RESOURCE_TYPE_ROLLOUTS_STAGE>
>;

/** @public */
export function isStageEntityOwner(claims: string[]): StageCriteria {
  return {
    rule: IS_STAGE_ENTITY_OWNER_RULE,
    resourceType: RESOURCE_TYPE_ROLLOUTS_STAGE,
    params: { claims },
  };
}

/** @public */
export function isStage(stages: StoneStage[]): StageCriteria {
  return {
    rule: IS_STAGE_RULE,
    resourceType: RESOURCE_TYPE_ROLLOUTS_STAGE,
    params: { stages },
  };
}

/**
 * The policy's decision "owners of the entity may approve these stages",
 * which the rollouts backend applies to the `rollouts-stage` resource.
 * @public
 */
export function ownerStageApprovalDecision(
  claims: string[],
  stages: StoneStage[],
): ConditionalPolicyDecision {
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'rollouts',
    resourceType: RESOURCE_TYPE_ROLLOUTS_STAGE,
    conditions: { allOf: [isStageEntityOwner(claims), isStage(stages)] },
  };
}

/**
 * See an entity's Stones: status, pods, revisions and approvals.
 * @public
 */
export const rolloutsStoneReadPermission = createPermission({
  name: 'rollouts.stone.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Start a staged update of an entity's Stone: a new pod template (images,
 * other changes) and `strategy: Alpha` in one patch.
 * @public
 */
export const rolloutsUpdateStartPermission = createPermission({
  name: 'rollouts.update.start',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Pause, resume or abort (back to the current revision) an entity's Stone
 * update: each stops or restarts pods moving, none brings a new template.
 * @public
 */
export const rolloutsUpdatePausePermission = createPermission({
  name: 'rollouts.update.pause',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Roll an entity's Stone back to one of its earlier revisions.
 * @public
 */
export const rolloutsUpdateRollbackPermission = createPermission({
  name: 'rollouts.update.rollback',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Approve the next stage of an entity's Stone update, on the
 * `rollouts-stage` resource `<entityRef>|<stage>`.
 * @public
 */
export const rolloutsStageApprovePermission = createPermission({
  name: 'rollouts.stage.approve',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_ROLLOUTS_STAGE,
});

/**
 * Every permission of the Rollouts feature, for the backend to register.
 * @public
 */
export const rolloutsPermissions = [
  rolloutsStoneReadPermission,
  rolloutsUpdateStartPermission,
  rolloutsUpdatePausePermission,
  rolloutsUpdateRollbackPermission,
  rolloutsStageApprovePermission,
];
