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
import {
  rolloutsStageApprovePermission,
  rolloutsStoneReadPermission,
  rolloutsUpdatePausePermission,
  rolloutsUpdateRollbackPermission,
  rolloutsUpdateStartPermission,
} from '@cairn/plugin-rollouts-common';
import { decide, PolicyContext, Requester } from './rules';

const context: PolicyContext = {
  opsGroups: ['group:default/ops'],
  ownerApprovableStages: [],
};

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

  describe('Rollouts', () => {
    const ownerConditions = (requester: Requester) => ({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: { claims: requester.ownershipEntityRefs },
      },
    });

    it('lets everyone read Stones, and owners start, pause and roll back their updates', () => {
      expect(decide(rolloutsStoneReadPermission, bob, context).result).toBe(
        AuthorizeResult.ALLOW,
      );
      for (const permission of [
        rolloutsUpdateStartPermission,
        rolloutsUpdatePausePermission,
        rolloutsUpdateRollbackPermission,
      ]) {
        expect(decide(permission, bob, context)).toEqual(ownerConditions(bob));
        expect(decide(permission, alice, context).result).toBe(
          AuthorizeResult.ALLOW,
        );
      }
    });

    it('leaves approving stages to ops by default', () => {
      expect(decide(rolloutsStageApprovePermission, alice, context)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
      expect(decide(rolloutsStageApprovePermission, bob, context)).toEqual({
        result: AuthorizeResult.DENY,
      });
    });

    it('lets owners approve the stages the config lists, on their entities only', () => {
      const ownersApproveCanaries: PolicyContext = {
        ...context,
        ownerApprovableStages: ['Alpha', 'Beta'],
      };
      expect(
        decide(rolloutsStageApprovePermission, bob, ownersApproveCanaries),
      ).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'rollouts',
        resourceType: 'rollouts-stage',
        conditions: {
          allOf: [
            {
              rule: 'IS_STAGE_ENTITY_OWNER',
              resourceType: 'rollouts-stage',
              params: { claims: bob.ownershipEntityRefs },
            },
            {
              rule: 'IS_STAGE',
              resourceType: 'rollouts-stage',
              params: { stages: ['Alpha', 'Beta'] },
            },
          ],
        },
      });
      expect(
        decide(rolloutsStageApprovePermission, alice, ownersApproveCanaries),
      ).toEqual({ result: AuthorizeResult.ALLOW });
    });
  });
});
