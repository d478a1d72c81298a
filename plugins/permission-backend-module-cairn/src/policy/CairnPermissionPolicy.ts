import { Config } from '@backstage/config';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { PolicyDecision } from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { STONE_STAGES, StoneStage } from '@cairn/operators-api';
import { decide, PolicyContext, PolicyRule, cairnPolicyRules } from './rules';

const DEFAULT_OPS_GROUPS = ['group:default/ops'];

/**
 * Cairn's permission policy: decisions from catalog ownership and group
 * membership (see ./rules.ts for the rules and their order).
 */
export class CairnPermissionPolicy implements PermissionPolicy {
  static fromConfig(config: Config): CairnPermissionPolicy {
    const opsGroups =
      config.getOptionalStringArray('cairn.permission.opsGroups') ??
      DEFAULT_OPS_GROUPS;
    const stagesKey = 'cairn.permission.rollouts.ownerApprovableStages';
    const ownerApprovableStages =
      config.getOptionalStringArray(stagesKey) ?? [];
    for (const stage of ownerApprovableStages) {
      if (!STONE_STAGES.includes(stage as StoneStage)) {
        throw new Error(
          `${stagesKey} lists "${stage}", which is not a stage; use ${STONE_STAGES.join(
            ', ',
          )}`,
        );
      }
    }
    return new CairnPermissionPolicy({
      ownerApprovableStages: ownerApprovableStages as StoneStage[],
      // Normalised so `group:ops` and `Group:default/Ops` name the same group
      // as the lowercase refs in a user's ownership claims.
      opsGroups: opsGroups.map(ref =>
        stringifyEntityRef(parseEntityRef(ref, { defaultKind: 'group' })),
      ),
    });
  }

  constructor(
    private readonly context: PolicyContext,
    private readonly rules: PolicyRule[] = cairnPolicyRules,
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const requester = user && {
      userEntityRef: user.info.userEntityRef,
      ownershipEntityRefs: user.info.ownershipEntityRefs,
    };
    return decide(request.permission, requester, this.context, this.rules);
  }
}
