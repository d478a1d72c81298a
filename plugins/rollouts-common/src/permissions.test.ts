import {
  formatStageResourceRef,
  ownerStageApprovalDecision,
  parseStageResourceRef,
  RESOURCE_TYPE_ROLLOUTS_STAGE,
  rolloutsPermissions,
  rolloutsStageApprovePermission,
} from './permissions';

describe('rollouts permissions', () => {
  it('names every permission once', () => {
    expect(rolloutsPermissions.map(p => p.name)).toEqual([
      'rollouts.stone.read',
      'rollouts.update.start',
      'rollouts.update.pause',
      'rollouts.update.rollback',
      'rollouts.stage.approve',
    ]);
    expect(rolloutsStageApprovePermission).toMatchObject({
      type: 'resource',
      resourceType: RESOURCE_TYPE_ROLLOUTS_STAGE,
    });
  });

  it('formats and parses a stage resource ref', () => {
    const ref = formatStageResourceRef({
      entityRef: 'component:default/shop',
      stage: 'Omega',
    });
    expect(ref).toBe('component:default/shop|Omega');
    expect(parseStageResourceRef(ref)).toEqual({
      entityRef: 'component:default/shop',
      stage: 'Omega',
    });
  });

  it.each(['component:default/shop', '|Beta', 'component:default/shop|Gamma'])(
    'refuses the stage resource ref %j',
    ref => {
      expect(() => parseStageResourceRef(ref)).toThrow(
        /is not a rollouts-stage ref/,
      );
    },
  );

  it('builds the owners-for-these-stages decision', () => {
    expect(
      ownerStageApprovalDecision(['group:default/team'], ['Alpha', 'Beta']),
    ).toEqual({
      result: 'CONDITIONAL',
      pluginId: 'rollouts',
      resourceType: 'rollouts-stage',
      conditions: {
        allOf: [
          {
            rule: 'IS_STAGE_ENTITY_OWNER',
            resourceType: 'rollouts-stage',
            params: { claims: ['group:default/team'] },
          },
          {
            rule: 'IS_STAGE',
            resourceType: 'rollouts-stage',
            params: { stages: ['Alpha', 'Beta'] },
          },
        ],
      },
    });
  });
});
