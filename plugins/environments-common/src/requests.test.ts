import { describeIssues } from '@cairn/request-schemas';
import {
  createEnvironmentBodySchema,
  environmentSpecSchema,
  labelNodesBodySchema,
} from './requests';

const issues = (schema: any, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? [] : describeIssues(result.error);
};

describe('environment requests', () => {
  it('normalises group refs and keeps quantities as Kubernetes writes them', () => {
    const parsed = createEnvironmentBodySchema.parse({
      name: 'storefront-prod',
      spec: {
        namespace: 'storefront',
        owner: 'team-storefront',
        tenants: [{ group: 'group:default/team-checkout', role: 'view' }],
        placement: { zones: ['zone-a'] },
        storageClasses: ['standard'],
        quota: {
          pods: 20,
          'requests.cpu': '500m',
          'requests.storage': '100Gi',
        },
      },
    });
    expect(parsed.spec.owner).toBe('group:default/team-storefront');
    expect(parsed.spec.quota).toEqual({
      pods: '20',
      'requests.cpu': '500m',
      'requests.storage': '100Gi',
    });
  });

  it('refuses bad names, units, refs and duplicates, naming each field', () => {
    expect(
      issues(createEnvironmentBodySchema, {
        name: 'Prod',
        spec: {
          namespace: 'shop',
          owner: 'user:default/ann',
          tenants: [
            { group: 'team-a', role: 'view' },
            { group: 'group:default/team-a', role: 'owner' },
          ],
          placement: { zones: ['a', 'a'] },
          quota: { 'requests.cpu': '4 cores', pods: '-1' },
        },
      }),
    ).toEqual([
      expect.stringMatching(
        /^name: Invalid value: "Prod": a lowercase RFC 1123 label/,
      ),
      'spec.owner: "user:default/ann" is a user, not a group; use group:namespace/name',
      'spec.tenants.1.role: must be one of admin, edit, view',
      'spec.placement.zones: lists a value twice',
      expect.stringMatching(
        /^spec.quota.requests.cpu: Invalid value: "4 cores": quantities must match the regular expression/,
      ),
      'spec.quota.pods: Invalid value: "-1": must be greater than or equal to 0',
    ]);
    expect(
      issues(environmentSpecSchema, {
        namespace: 'shop',
        owner: 'team-a',
        tenants: [
          { group: 'team-a', role: 'view' },
          { group: 'group:default/team-a', role: 'edit' },
        ],
      }),
    ).toEqual(['tenants: lists a group twice; give each group one role']);
  });

  it('takes node labels to write, null removing one, and refuses an empty request', () => {
    expect(
      labelNodesBodySchema.parse({ nodes: ['n1'], zone: 'z1', rack: null }),
    ).toEqual({ nodes: ['n1'], zone: 'z1', rack: null });
    expect(issues(labelNodesBodySchema, { nodes: ['n1'] })).toEqual([
      'names no label to write: give zone, rack or host',
    ]);
    expect(
      issues(labelNodesBodySchema, { nodes: [], zone: 'bad value' }),
    ).toEqual([
      'nodes: is required: at least one node',
      expect.stringMatching(/^zone: Invalid value: "bad value": a valid label/),
    ]);
  });
});
