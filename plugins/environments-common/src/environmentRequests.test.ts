import { describeIssues } from '@cairn/request-schemas';
import {
  createEnvironmentRequestBodySchema,
  decisionRefusal,
  environmentSpecOfRequest,
  maySeeRequest,
  quotaAfterRequest,
  quotaChanges,
  requestRefusal,
  unchangedQuotaRefusal,
} from '.';

const issues = (value: unknown) => {
  const result = createEnvironmentRequestBodySchema.safeParse(value);
  return result.success ? [] : describeIssues(result.error);
};

const member = {
  ownershipEntityRefs: ['user:default/sam', 'group:default/team-storefront'],
  canRead: true,
  canManage: false,
};

describe('request bodies', () => {
  it('parses a new environment request, its owner normalised', () => {
    const parsed = createEnvironmentRequestBodySchema.parse({
      kind: 'environment',
      cluster: 'dev',
      name: 'storefront-qa',
      spec: {
        namespace: 'storefront-qa',
        owner: 'team-storefront',
        placement: { zones: ['local-1a'] },
        storageClasses: ['standard'],
        quota: { pods: 10, 'requests.storage': '10Gi' },
      },
      reason: '  QA for the spring sale ',
    });
    expect(parsed).toEqual({
      kind: 'environment',
      cluster: 'dev',
      name: 'storefront-qa',
      spec: {
        namespace: 'storefront-qa',
        owner: 'group:default/team-storefront',
        placement: { zones: ['local-1a'] },
        storageClasses: ['standard'],
        quota: { pods: '10', 'requests.storage': '10Gi' },
      },
      reason: 'QA for the spring sale',
    });
  });

  it('refuses what a team may not ask for, and bad quantities in Kubernetes words', () => {
    expect(
      issues({
        kind: 'environment',
        cluster: 'dev',
        name: 'qa',
        spec: {
          namespace: 'qa',
          owner: 'team-storefront',
          tenants: [{ group: 'team-b', role: 'admin' }],
        },
        reason: 'x',
      }),
    ).toEqual([expect.stringMatching(/^spec: Unrecognized key: "tenants"/)]);
    expect(
      issues({
        kind: 'quota',
        cluster: 'dev',
        name: 'storefront',
        quota: { 'requests.cpu': '2 cores' },
        reason: '',
      }),
    ).toEqual([
      expect.stringMatching(
        /^quota\.requests\.cpu: Invalid value: "2 cores": quantities must match/,
      ),
      'reason: is required: why the team needs it, for ops to decide',
    ]);
    expect(
      issues({
        kind: 'quota',
        cluster: 'dev',
        name: 'storefront',
        quota: {},
        reason: 'more',
      }),
    ).toEqual([
      'quota: is required: the new hard value of at least one resource',
    ]);
    expect(issues({ kind: 'nodes' })).toEqual([
      expect.stringMatching(/kind must be environment or quota/),
    ]);
  });
});

describe('who may request and decide', () => {
  it('lets members of the owner group request, with environments.read', () => {
    expect(
      requestRefusal(member, 'group:default/team-storefront'),
    ).toBeUndefined();
    expect(requestRefusal(member, 'group:default/team-b')).toBe(
      'you may request only for your own groups: you are not a member of group:default/team-b',
    );
    expect(
      requestRefusal(
        { ...member, canRead: false },
        'group:default/team-storefront',
      ),
    ).toMatch(/environments.read is required/);
    // Ops are no exception: they edit environments directly.
    expect(
      requestRefusal(
        {
          ownershipEntityRefs: ['group:default/ops'],
          canRead: true,
          canManage: true,
        },
        'group:default/team-storefront',
      ),
    ).toMatch(/not a member/);
  });

  it('lets only ops decide, and only pending requests', () => {
    expect(decisionRefusal(member, { state: 'pending' })).toMatch(
      /environments.manage is required/,
    );
    expect(
      decisionRefusal({ canManage: true }, { state: 'pending' }),
    ).toBeUndefined();
    expect(decisionRefusal({ canManage: true }, { state: 'approved' })).toBe(
      'the request is already approved',
    );
  });

  it('shows ops every request, others their groups’', () => {
    expect(
      maySeeRequest(member, { group: 'group:default/team-storefront' }),
    ).toBe(true);
    expect(maySeeRequest(member, { group: 'group:default/team-b' })).toBe(
      false,
    );
    expect(
      maySeeRequest(
        { canManage: true, ownershipEntityRefs: [] },
        { group: 'group:default/team-b' },
      ),
    ).toBe(true);
  });
});

describe('what a request changes', () => {
  it('compares quotas as quantities', () => {
    expect(
      quotaChanges(
        { pods: '10', 'requests.cpu': '2', 'requests.memory': '4Gi' },
        {
          pods: '20',
          'requests.cpu': '2000m',
          'requests.memory': '2Gi',
          'requests.storage': '10Gi',
        },
      ),
    ).toEqual([
      { resource: 'pods', from: '10', to: '20', change: 'raise' },
      { resource: 'requests.cpu', from: '2', to: '2000m', change: 'same' },
      {
        resource: 'requests.memory',
        from: '4Gi',
        to: '2Gi',
        change: 'lower',
      },
      { resource: 'requests.storage', to: '10Gi', change: 'added' },
    ]);
    expect(
      unchangedQuotaRefusal(
        { 'requests.cpu': '1' },
        { 'requests.cpu': '1000m' },
      ),
    ).toBe('the environment already has this quota; ask for other values');
    expect(unchangedQuotaRefusal({ pods: '1' }, { pods: '2' })).toBeUndefined();
  });

  it('changes only the resources named, and gives a new environment its team as tenant', () => {
    expect(
      quotaAfterRequest({ pods: '10', 'requests.cpu': '2' }, { pods: '20' }),
    ).toEqual({ pods: '20', 'requests.cpu': '2' });
    expect(
      environmentSpecOfRequest({
        namespace: 'qa',
        owner: 'group:default/team-storefront',
        quota: { pods: '5' },
      }),
    ).toEqual({
      namespace: 'qa',
      owner: 'group:default/team-storefront',
      quota: { pods: '5' },
      tenants: [{ group: 'group:default/team-storefront', role: 'edit' }],
    });
  });
});
