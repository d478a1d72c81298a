import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogLocationCreatePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  kubernetesClustersReadPermission,
  kubernetesProxyPermission,
} from '@backstage/plugin-kubernetes-common';
import {
  templatesDeletePermission,
  templatesImportPermission,
  templatesPublishPermission,
  templatesReadPermission,
} from '@cairn/plugin-template-store-common';
import { decide, PolicyContext, Requester } from './rules';

const context: PolicyContext = { opsGroups: ['group:default/ops'] };

const alice: Requester = {
  userEntityRef: 'user:default/alice',
  ownershipEntityRefs: ['user:default/alice', 'group:default/ops'],
};
const bob: Requester = {
  userEntityRef: 'user:default/bob',
  ownershipEntityRefs: ['user:default/bob', 'group:default/team-payments'],
};

// The shape later Cairn features use for entity-scoped actions.
const pipelineRunCreate = createPermission({
  name: 'pipelines.run.create',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

describe('Cairn permission policy rules', () => {
  it('lets ops members do anything, including the raw Kubernetes proxy', () => {
    for (const permission of [
      kubernetesProxyPermission,
      catalogEntityDeletePermission,
      catalogLocationCreatePermission,
      pipelineRunCreate,
    ]) {
      expect(decide(permission, alice, context)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it('lets every signed-in user read', () => {
    expect(decide(catalogEntityReadPermission, bob, context).result).toBe(
      AuthorizeResult.ALLOW,
    );
    expect(decide(kubernetesClustersReadPermission, bob, context).result).toBe(
      AuthorizeResult.ALLOW,
    );
  });

  it('lets a developer change only entities owned by them or their groups', () => {
    for (const permission of [
      catalogEntityDeletePermission,
      pipelineRunCreate,
    ]) {
      expect(decide(permission, bob, context)).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: {
            claims: ['user:default/bob', 'group:default/team-payments'],
          },
        },
      });
    }
  });

  it('lets template owners publish and delete under their group, ops import', () => {
    for (const permission of [
      templatesPublishPermission,
      templatesDeletePermission,
    ]) {
      expect(decide(permission, bob, context)).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'template-store',
        resourceType: 'template-store-template',
        conditions: {
          rule: 'IS_TEMPLATE_OWNER',
          resourceType: 'template-store-template',
          params: {
            claims: ['user:default/bob', 'group:default/team-payments'],
          },
        },
      });
      expect(decide(permission, alice, context).result).toBe(
        AuthorizeResult.ALLOW,
      );
    }
    expect(decide(templatesReadPermission, bob, context).result).toBe(
      AuthorizeResult.ALLOW,
    );
    expect(decide(templatesImportPermission, bob, context).result).toBe(
      AuthorizeResult.DENY,
    );
    expect(decide(templatesImportPermission, alice, context).result).toBe(
      AuthorizeResult.ALLOW,
    );
  });

  it('denies developers what is not tied to an entity they own', () => {
    expect(decide(kubernetesProxyPermission, bob, context).result).toBe(
      AuthorizeResult.DENY,
    );
    expect(decide(catalogLocationCreatePermission, bob, context).result).toBe(
      AuthorizeResult.DENY,
    );
  });

  it('denies everything, even reads, when no user is known', () => {
    expect(decide(catalogEntityReadPermission, undefined, context).result).toBe(
      AuthorizeResult.DENY,
    );
  });

  it('does not treat a group named like ops in another namespace as ops', () => {
    const impostor: Requester = {
      userEntityRef: 'user:default/mallory',
      ownershipEntityRefs: ['user:default/mallory', 'group:partners/ops'],
    };
    expect(decide(kubernetesProxyPermission, impostor, context).result).toBe(
      AuthorizeResult.DENY,
    );
  });
});
