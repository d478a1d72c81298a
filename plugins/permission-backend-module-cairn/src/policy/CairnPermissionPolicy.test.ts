import { ConfigReader } from '@backstage/config';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { kubernetesProxyPermission } from '@backstage/plugin-kubernetes-common';
import { mockCredentials } from '@backstage/backend-test-utils';
import { rolloutsStageApprovePermission } from '@cairn/plugin-rollouts-common';
import { CairnPermissionPolicy } from './CairnPermissionPolicy';

function userWithGroups(ref: string, groups: string[]) {
  return {
    credentials: mockCredentials.user(ref),
    info: { userEntityRef: ref, ownershipEntityRefs: [ref, ...groups] },
  };
}

describe('CairnPermissionPolicy', () => {
  it('uses group:default/ops as the ops group by default', async () => {
    const policy = CairnPermissionPolicy.fromConfig(new ConfigReader({}));
    const ops = userWithGroups('user:default/alice', ['group:default/ops']);
    await expect(
      policy.handle({ permission: kubernetesProxyPermission }, ops),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('reads the ops groups from config, accepting short refs', async () => {
    const policy = CairnPermissionPolicy.fromConfig(
      new ConfigReader({ cairn: { permission: { opsGroups: ['SRE'] } } }),
    );
    const sre = userWithGroups('user:default/sam', ['group:default/sre']);
    const ops = userWithGroups('user:default/alice', ['group:default/ops']);
    await expect(
      policy.handle({ permission: kubernetesProxyPermission }, sre),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      policy.handle({ permission: kubernetesProxyPermission }, ops),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('reads the stages owners may approve, refusing a misspelt stage', async () => {
    const owner = userWithGroups('user:default/bob', [
      'group:default/team-payments',
    ]);
    const approve = { permission: rolloutsStageApprovePermission };
    await expect(
      CairnPermissionPolicy.fromConfig(new ConfigReader({})).handle(
        approve,
        owner,
      ),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
    await expect(
      CairnPermissionPolicy.fromConfig(
        new ConfigReader({
          cairn: {
            permission: { rollouts: { ownerApprovableStages: ['Alpha'] } },
          },
        }),
      ).handle(approve, owner),
    ).resolves.toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'rollouts',
      resourceType: 'rollouts-stage',
    });
    expect(() =>
      CairnPermissionPolicy.fromConfig(
        new ConfigReader({
          cairn: {
            permission: { rollouts: { ownerApprovableStages: ['beta'] } },
          },
        }),
      ),
    ).toThrow(
      'cairn.permission.rollouts.ownerApprovableStages lists "beta", which is not a stage; use Alpha, Beta, Omega, Release',
    );
  });
});
