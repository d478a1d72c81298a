import type { Environment } from '@cairn/operators-api';
import {
  involvesGroup,
  namespaceRefusal,
  normalizeGroupRef,
} from './summaries';

const environment = (owner: string, tenants: string[] = []): Environment => ({
  metadata: { name: 'shop-prod' },
  spec: {
    namespace: 'shop',
    owner,
    tenants: tenants.map(group => ({ group, role: 'view' as const })),
  },
});

describe('environment summaries', () => {
  it('matches a group as owner or tenant, however the ref is written', () => {
    expect(normalizeGroupRef('Team-X')).toBe('group:default/team-x');
    expect(involvesGroup(environment('team-x'), 'group:default/team-x')).toBe(
      true,
    );
    expect(
      involvesGroup(
        environment('group:default/ops', ['Group:default/Team-X']),
        'group:default/team-x',
      ),
    ).toBe(true);
    expect(involvesGroup(environment('team-y'), 'group:default/team-x')).toBe(
      false,
    );
  });

  it('lets an Environment written by hand with a bad ref match no group, instead of failing the list', () => {
    expect(involvesGroup(environment('group:'), 'group:default/team-x')).toBe(
      false,
    );
  });

  it("refuses Kubernetes' own namespaces and another environment's", () => {
    expect(namespaceRefusal('kube-system', 'x', [])).toMatch(
      /^namespace "kube-system" is one of Kubernetes' own/,
    );
    expect(namespaceRefusal('shop', 'other', [environment('team-x')])).toBe(
      'namespace "shop" is already environment "shop-prod"\'s; pick another namespace',
    );
    expect(namespaceRefusal('shop', 'shop-prod', [environment('team-x')])).toBe(
      undefined,
    );
  });
});
