import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  IS_TEMPLATE_OWNER_RULE,
  RESOURCE_TYPE_TEMPLATE,
  TemplateKind,
} from '@cairn/plugin-template-store-common';
import { z } from 'zod';

/**
 * What the policy's conditions are applied to: a template and its owner, or
 * only the owner group when publishing YAML whose template may not exist yet.
 */
export interface TemplateResource {
  owner: string;
  kind?: TemplateKind;
  name?: string;
}

/** The owners a condition allows, for filtering lists. */
export type TemplateFilter = { owners: string[] };

export const templateResourceRef = createPermissionResourceRef<
  TemplateResource,
  TemplateFilter
>().with({ pluginId: 'template-store', resourceType: RESOURCE_TYPE_TEMPLATE });

/** The template's owner group is one of the given refs (the requester's ownership claims). */
export const isTemplateOwnerRule = createPermissionRule({
  name: IS_TEMPLATE_OWNER_RULE,
  description: 'Allow templates whose owner group is one of the given refs',
  resourceRef: templateResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('Entity refs; the template must be owned by one of them'),
  }),
  apply: (resource, { claims }) =>
    claims
      .map(c => c.toLocaleLowerCase('en-US'))
      .includes(resource.owner.toLocaleLowerCase('en-US')),
  toQuery: ({ claims }) => ({ owners: claims }),
});
