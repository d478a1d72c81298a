import {
  AuthorizeResult,
  ConditionalPolicyDecision,
  createPermission,
  PermissionCondition,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';

/**
 * The resource of the template store's resource permissions: one template
 * (`Task/git-clone`), owned by a catalog group.
 * @public
 */
export const RESOURCE_TYPE_TEMPLATE = 'template-store-template';

/**
 * The conditional rule the policy returns for publish and delete: the
 * template's owner group is one of the requester's ownership refs. The
 * backend registers a rule of this name and applies it.
 * @public
 */
export const IS_TEMPLATE_OWNER_RULE = 'IS_TEMPLATE_OWNER';

/** @public */
export function isTemplateOwner(
  claims: string[],
): PermissionCriteria<PermissionCondition<typeof RESOURCE_TYPE_TEMPLATE>> {
  return {
    rule: IS_TEMPLATE_OWNER_RULE,
    resourceType: RESOURCE_TYPE_TEMPLATE,
    params: { claims },
  };
}

/**
 * The policy's decision "allowed on templates owned by one of these refs",
 * which the template store backend applies.
 * @public
 */
export function templateOwnerDecision(
  claims: string[],
): ConditionalPolicyDecision {
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'template-store',
    resourceType: RESOURCE_TYPE_TEMPLATE,
    conditions: isTemplateOwner(claims),
  };
}

/**
 * See the store: templates, versions, their YAML; star and unstar.
 * @public
 */
export const templatesReadPermission = createPermission({
  name: 'templates.read',
  attributes: { action: 'read' },
});

/**
 * Publish a new version of a template (or a new template, or a fork) under
 * its owner group, and deprecate versions.
 * @public
 */
export const templatesPublishPermission = createPermission({
  name: 'templates.publish',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_TEMPLATE,
});

/**
 * Delete a version no one uses.
 * @public
 */
export const templatesDeletePermission = createPermission({
  name: 'templates.delete',
  attributes: { action: 'delete' },
  resourceType: RESOURCE_TYPE_TEMPLATE,
});

/**
 * Import catalogs (upload an archive, run a configured source): for ops.
 * @public
 */
export const templatesImportPermission = createPermission({
  name: 'templates.import',
  attributes: { action: 'create' },
});

/**
 * Install a template's version into a namespace of a catalog entity (a
 * namespace the user may write): a permission on the entity, so the policy
 * allows it to the entity's owners (and ops), as it does the entity's other
 * changes.
 * @public
 */
export const templatesInstallPermission = createPermission({
  name: 'templates.install',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/**
 * Every permission of the template store, for the backend to register.
 * @public
 */
export const templateStorePermissions = [
  templatesReadPermission,
  templatesPublishPermission,
  templatesDeletePermission,
  templatesImportPermission,
  templatesInstallPermission,
];
