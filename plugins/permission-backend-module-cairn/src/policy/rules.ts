import {
  AuthorizeResult,
  isPermission,
  isResourcePermission,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { StoneStage } from '@cairn/operators-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  ownerStageApprovalDecision,
  RESOURCE_TYPE_ROLLOUTS_STAGE,
  rolloutsStageApprovePermission,
} from '@cairn/plugin-rollouts-common';
import {
  RESOURCE_TYPE_TEMPLATE,
  templateOwnerDecision,
  templatesDeletePermission,
  templatesPublishPermission,
} from '@cairn/plugin-template-store-common';

/** Who is asking: the signed-in user and every ref they own through (themselves, their groups). */
export interface Requester {
  userEntityRef: string;
  ownershipEntityRefs: string[];
}

/** What the rules know besides the request. */
export interface PolicyContext {
  /** Entity refs of the ops groups, normalised; their members may do everything. */
  opsGroups: string[];
  /**
   * The release stages an entity's owners may approve on its Stones
   * themselves; every other stage is for ops. Empty or unset: only ops
   * approve.
   */
  ownerApprovableStages?: StoneStage[];
}

/**
 * One rule of Cairn's policy: a decision, or `undefined` to let the next rule
 * decide. Rules are tried in order; later features add theirs to
 * {@link cairnPolicyRules} rather than branching inside one function.
 */
export type PolicyRule = (
  permission: Permission,
  requester: Requester,
  context: PolicyContext,
) => PolicyDecision | undefined;

const allow: PolicyDecision = { result: AuthorizeResult.ALLOW };
const deny: PolicyDecision = { result: AuthorizeResult.DENY };

/** Members of an ops group may do everything. */
export const opsMayDoEverything: PolicyRule = (_, requester, context) =>
  requester.ownershipEntityRefs.some(ref => context.opsGroups.includes(ref))
    ? allow
    : undefined;

/** Everyone signed in may read what the portal shows. */
export const everyoneMayRead: PolicyRule = permission =>
  permission.attributes.action === 'read' ? allow : undefined;

/**
 * A change to something that belongs to a catalog entity (unregistering it,
 * refreshing it, and Cairn's entity-scoped actions such as starting its
 * pipeline runs) is allowed to the entity's owners: the catalog applies the
 * condition against `spec.owner` for each entity.
 */
export const ownersMayChangeTheirEntities: PolicyRule = (
  permission,
  requester,
) =>
  isResourcePermission(permission, RESOURCE_TYPE_CATALOG_ENTITY)
    ? createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({
          claims: requester.ownershipEntityRefs,
        }),
      )
    : undefined;

/**
 * Publishing, deprecating and deleting versions in the template store is for
 * members of the template's owner group: the store applies the condition to
 * the template (or, for a new one, to the group it is published under).
 * Imports (`templates.import`) are left to ops.
 */
export const ownersMayChangeTheirTemplates: PolicyRule = (
  permission,
  requester,
) =>
  isResourcePermission(permission, RESOURCE_TYPE_TEMPLATE) &&
  [templatesPublishPermission.name, templatesDeletePermission.name].includes(
    permission.name,
  )
    ? templateOwnerDecision(requester.ownershipEntityRefs)
    : undefined;

/**
 * Approving a release stage of a Stone is for ops (the first rule). Owners of
 * the Stone's entity may approve only the stages the config lists
 * (`cairn.permission.rollouts.ownerApprovableStages`): a conditional decision
 * the rollouts backend applies to the `rollouts-stage` resource
 * `<entityRef>|<stage>`. Anyone else, and owners for other stages, are
 * denied here, before a later rule could allow it.
 */
export const ownersMayApproveListedStages: PolicyRule = (
  permission,
  requester,
  context,
) => {
  if (
    !isResourcePermission(permission, RESOURCE_TYPE_ROLLOUTS_STAGE) ||
    !isPermission(permission, rolloutsStageApprovePermission)
  ) {
    return undefined;
  }
  const stages = context.ownerApprovableStages ?? [];
  return stages.length
    ? ownerStageApprovalDecision(requester.ownershipEntityRefs, stages)
    : deny;
};

/**
 * Cairn's rules, most general first. Anything no rule allows is denied: for
 * example registering new catalog locations, or the Kubernetes backend's raw
 * proxy (`kubernetes.proxy`), which acts with the portal's own cluster
 * credentials on any object and so is for ops only.
 */
export const cairnPolicyRules: PolicyRule[] = [
  opsMayDoEverything,
  everyoneMayRead,
  ownersMayApproveListedStages,
  ownersMayChangeTheirEntities,
  ownersMayChangeTheirTemplates,
];

/** Applies the rules in order; denies when none decides. */
export function decide(
  permission: Permission,
  requester: Requester | undefined,
  context: PolicyContext,
  rules: PolicyRule[] = cairnPolicyRules,
): PolicyDecision {
  if (!requester) {
    return deny;
  }
  for (const rule of rules) {
    const decision = rule(permission, requester, context);
    if (decision) {
      return decision;
    }
  }
  return deny;
}
