import { environmentConfigFromEnv } from './config';
import {
  environmentLimitRange,
  namespaceMetadata,
  parseGroupRef,
  rbacGroupName,
  tenantRoleBindings,
} from './objects';
import type { Environment } from './types';

const ENV: Environment = {
  metadata: { name: 'shop-prod' },
  spec: { namespace: 'shop', owner: 'group:default/team-storefront' },
};

describe('catalog groups as RBAC groups', () => {
  it('parses group refs with or without kind and namespace', () => {
    expect(parseGroupRef('group:default/team-x')).toEqual({
      namespace: 'default',
      name: 'team-x',
    });
    expect(parseGroupRef('group:ops/sre')).toEqual({
      namespace: 'ops',
      name: 'sre',
    });
    expect(parseGroupRef('team-x')).toEqual({
      namespace: 'default',
      name: 'team-x',
    });
  });

  it('maps by the template, the group’s name by default', () => {
    expect(rbacGroupName('group:default/team-x', '{name}')).toBe('team-x');
    expect(rbacGroupName('group:ops/sre', 'oidc:{namespace}-{name}')).toBe(
      'oidc:ops-sre',
    );
  });

  it('reads the template and topology labels from the environment, refusing a template without {name}', () => {
    expect(environmentConfigFromEnv({})).toEqual({
      groupTemplate: '{name}',
      topologyLabels: {
        zone: 'topology.kubernetes.io/zone',
        rack: 'topology.cairn.dev/rack',
        host: 'kubernetes.io/hostname',
      },
    });
    expect(
      environmentConfigFromEnv({
        CAIRN_ENVIRONMENT_GROUP_TEMPLATE: 'oidc:{name}',
        CAIRN_TOPOLOGY_RACK_LABEL: 'nuwa.kubernetes.io/rack',
      }),
    ).toMatchObject({
      groupTemplate: 'oidc:{name}',
      topologyLabels: { rack: 'nuwa.kubernetes.io/rack' },
    });
    expect(() =>
      environmentConfigFromEnv({ CAIRN_ENVIRONMENT_GROUP_TEMPLATE: 'team' }),
    ).toThrow('CAIRN_ENVIRONMENT_GROUP_TEMPLATE must contain {name}');
  });
});

describe('tenantRoleBindings', () => {
  it('binds each role’s groups to the ClusterRole of that name, one binding per role', () => {
    const bindings = tenantRoleBindings(
      ENV,
      [
        { group: 'group:default/team-b', role: 'edit' },
        { group: 'group:default/team-a', role: 'edit' },
        { group: 'group:default/team-storefront', role: 'admin' },
        { group: 'team-a', role: 'edit' },
      ],
      '{name}',
    );
    expect(
      bindings.map(b => ({
        name: b.metadata!.name,
        namespace: b.metadata!.namespace,
        role: b.roleRef.name,
        groups: b.subjects!.map(s => `${s.kind}:${s.name}`),
      })),
    ).toEqual([
      {
        name: 'cairn-environment-admin',
        namespace: 'shop',
        role: 'admin',
        groups: ['Group:team-storefront'],
      },
      {
        name: 'cairn-environment-edit',
        namespace: 'shop',
        role: 'edit',
        groups: ['Group:team-a', 'Group:team-b'],
      },
    ]);
    expect(bindings[0].roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'admin',
    });
    expect(bindings[0].metadata!.labels).toEqual({
      'tenancy.cairn.dev/environment': 'shop-prod',
    });
  });

  it('is empty without tenants', () => {
    expect(tenantRoleBindings(ENV, [], '{name}')).toEqual([]);
  });
});

describe('the namespace and its LimitRange', () => {
  it('labels the namespace with the Environment and the owner’s name, annotating the full ref', () => {
    expect(namespaceMetadata(ENV)).toEqual({
      labels: {
        'tenancy.cairn.dev/environment': 'shop-prod',
        'tenancy.cairn.dev/owner': 'team-storefront',
      },
      annotations: {
        'tenancy.cairn.dev/owner': 'group:default/team-storefront',
      },
    });
  });

  it('writes the limits as a LimitRange’s Container item, or none', () => {
    expect(environmentLimitRange(ENV)).toBeUndefined();
    expect(
      environmentLimitRange({
        ...ENV,
        spec: {
          ...ENV.spec,
          limits: { default: { cpu: '500m' }, max: { memory: '2Gi' } },
        },
      })!.spec,
    ).toEqual({
      limits: [
        { type: 'Container', default: { cpu: '500m' }, max: { memory: '2Gi' } },
      ],
    });
  });
});
