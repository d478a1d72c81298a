import { AuthService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import { STONE_STAGES } from '@cairn/operators-api';
import {
  IS_STAGE_ENTITY_OWNER_RULE,
  IS_STAGE_RULE,
  parseStageResourceRef,
  RESOURCE_TYPE_ROLLOUTS_STAGE,
  StageResource,
} from '@cairn/plugin-rollouts-common';
import { z } from 'zod';

/** A `rollouts-stage` resource as the rules see it: the stage, and who owns the entity. */
export interface StageApprovalResource extends StageResource {
  /** Entity refs of the entity's owners (`ownedBy` relations, else `spec.owner`). */
  owners: string[];
}

export const stageResourceRef = createPermissionResourceRef<
  StageApprovalResource,
  never
>().with({ pluginId: 'rollouts', resourceType: RESOURCE_TYPE_ROLLOUTS_STAGE });

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/** The entity's owners as entity refs. */
export function entityOwners(entity: Entity): string[] {
  const related = (entity.relations ?? [])
    .filter(r => r.type === RELATION_OWNED_BY)
    .map(r => r.targetRef);
  if (related.length) return related.map(lower);
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) return [];
  return [
    lower(
      stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      ),
    ),
  ];
}

/** The stage's entity is owned by one of the given refs (the requester's ownership claims). */
export const isStageEntityOwnerRule = createPermissionRule({
  name: IS_STAGE_ENTITY_OWNER_RULE,
  description:
    'Allow a stage of a Stone whose catalog entity is owned by one of the given refs',
  resourceRef: stageResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('Entity refs; the Stone’s entity must be owned by one of them'),
  }),
  apply: (resource, { claims }) =>
    claims.map(lower).some(claim => resource.owners.includes(claim)),
  toQuery: () => {
    throw new Error(
      'rollouts-stage conditions are applied to one stage at a time',
    );
  },
});

/** The stage is one of the given stages. */
export const isStageRule = createPermissionRule({
  name: IS_STAGE_RULE,
  description: 'Allow the given release stages only',
  resourceRef: stageResourceRef,
  paramsSchema: z.object({
    stages: z.array(z.enum(STONE_STAGES)).describe('Stages allowed'),
  }),
  apply: (resource, { stages }) => stages.includes(resource.stage),
  toQuery: () => {
    throw new Error(
      'rollouts-stage conditions are applied to one stage at a time',
    );
  },
});

export const stagePermissionRules = [isStageEntityOwnerRule, isStageRule];

/**
 * Loads `rollouts-stage` resources (`<entityRef>|<stage>`) for the
 * permission framework, which applies a conditional decision of the policy
 * through them (e.g. for the frontend's "may I approve?"): the entity from
 * the catalog, as the plugin itself.
 */
export function stageResourceLoader(options: {
  catalog: CatalogService;
  auth: AuthService;
}) {
  return async (
    resourceRefs: string[],
  ): Promise<Array<StageApprovalResource | undefined>> => {
    const parsed = resourceRefs.map(ref => {
      try {
        return parseStageResourceRef(ref);
      } catch {
        return undefined;
      }
    });
    const entityRefs = [
      ...new Set(parsed.flatMap(p => (p ? [p.entityRef] : []))),
    ];
    const { items } = await options.catalog.getEntitiesByRefs(
      { entityRefs, fields: ['kind', 'metadata', 'spec.owner', 'relations'] },
      { credentials: await options.auth.getOwnServiceCredentials() },
    );
    const byRef = new Map(
      entityRefs.map((ref, i) => [ref, items[i] ?? undefined]),
    );
    return parsed.map(p => {
      const entity = p && byRef.get(p.entityRef);
      return entity && p ? { ...p, owners: entityOwners(entity) } : undefined;
    });
  };
}
