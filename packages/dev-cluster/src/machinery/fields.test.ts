import {
  convertFieldSelector,
  fieldSelectorMatcher,
  parseFieldSelector,
  selectableFieldSet,
} from './fields';

const pods = { group: '', resource: 'pods' };

const pod = {
  metadata: { name: 'web-1', namespace: 'shop' },
  spec: {
    nodeName: 'node-a',
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    serviceAccountName: 'default',
  },
  status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }] },
};

describe('parseFieldSelector', () => {
  it('parses =, == and != terms, sorted', () => {
    expect(
      parseFieldSelector(
        'status.phase!=Running,metadata.name==a,spec.nodeName=',
      ),
    ).toEqual([
      { field: 'metadata.name', operator: '==', value: 'a' },
      { field: 'spec.nodeName', operator: '=', value: '' },
      { field: 'status.phase', operator: '!=', value: 'Running' },
    ]);
    expect(parseFieldSelector('')).toEqual([]);
  });

  it('unescapes values', () => {
    expect(parseFieldSelector('metadata.name=a\\,b\\=c\\\\d')).toEqual([
      { field: 'metadata.name', operator: '=', value: 'a,b=c\\d' },
    ]);
  });

  it.each([
    ['foo', "invalid selector: 'foo'; can't understand 'foo'"],
    ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
    ['a=b=c', 'invalid field selector: unescaped character in value: ='],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ])('rejects %j', (selector, message) => {
    expect(() => parseFieldSelector(selector)).toThrow(message);
  });
});

describe('supported fields', () => {
  it('rejects fields a built-in resource does not index', () => {
    expect(() => fieldSelectorMatcher(pods, 'foo=bar')).toThrow(
      'field label not supported: foo',
    );
    expect(() =>
      fieldSelectorMatcher(
        { group: '', resource: 'nodes' },
        'metadata.namespace=x',
      ),
    ).toThrow('field label not supported: metadata.namespace');
  });

  it('gives other resources only metadata.name and metadata.namespace', () => {
    expect(() =>
      fieldSelectorMatcher(
        { group: 'apps', resource: 'replicasets' },
        'status.replicas=1',
      ),
    ).toThrow(
      '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
    expect(() =>
      fieldSelectorMatcher(
        { group: '', resource: 'configmaps' },
        'metadata.name=x',
      ),
    ).not.toThrow();
  });

  it('accepts the selectable fields of a custom resource', () => {
    const stones = {
      group: 'rollouts.cairn.dev',
      resource: 'stones',
      selectableFields: ['.spec.stage'],
    };
    const match = fieldSelectorMatcher(stones, 'spec.stage=Beta');
    expect(match({ metadata: { name: 's' }, spec: { stage: 'Beta' } })).toBe(
      true,
    );
    expect(match({ metadata: { name: 's' }, spec: { stage: 'Alpha' } })).toBe(
      false,
    );
    expect(() => fieldSelectorMatcher(stones, 'spec.other=1')).toThrow(
      'field label not supported: spec.other',
    );
  });

  it('rewrites the legacy spec.host to spec.nodeName', () => {
    expect(
      convertFieldSelector(pods, parseFieldSelector('spec.host=n')),
    ).toEqual([{ field: 'spec.nodeName', operator: '=', value: 'n' }]);
  });
});

describe('matching', () => {
  it('matches pods the way kubectl and the kubelet select them', () => {
    expect(fieldSelectorMatcher(pods, 'spec.nodeName=node-a')(pod)).toBe(true);
    expect(fieldSelectorMatcher(pods, 'spec.nodeName=node-b')(pod)).toBe(false);
    expect(fieldSelectorMatcher(pods, 'status.phase!=Running')(pod)).toBe(
      false,
    );
    expect(
      fieldSelectorMatcher(
        pods,
        'metadata.namespace=shop,metadata.name=web-1',
      )(pod),
    ).toBe(true);
    expect(fieldSelectorMatcher(pods, 'spec.hostNetwork=false')(pod)).toBe(
      true,
    );
    expect(fieldSelectorMatcher(pods, 'status.podIP=10.0.0.5')(pod)).toBe(true);
    // An unscheduled pod has an empty nodeName, which the scheduler selects.
    expect(
      fieldSelectorMatcher(pods, 'spec.nodeName=')({ metadata: { name: 'p' } }),
    ).toBe(true);
  });

  it('computes event fields, with source falling back to reportingComponent', () => {
    const fields = selectableFieldSet(
      { group: '', resource: 'events' },
      {
        metadata: { name: 'e', namespace: 'ns' },
        involvedObject: {
          kind: 'Pod',
          name: 'web-1',
          namespace: 'ns',
          uid: 'u1',
        },
        reason: 'Scheduled',
        type: 'Normal',
        reportingComponent: 'default-scheduler',
      },
    );
    expect(fields).toMatchObject({
      'involvedObject.kind': 'Pod',
      'involvedObject.name': 'web-1',
      'involvedObject.uid': 'u1',
      reason: 'Scheduled',
      source: 'default-scheduler',
      type: 'Normal',
    });
  });

  it('computes node, namespace and secret fields', () => {
    expect(
      fieldSelectorMatcher(
        { group: '', resource: 'nodes' },
        'spec.unschedulable=true',
      )({
        metadata: { name: 'n' },
        spec: { unschedulable: true },
      }),
    ).toBe(true);
    expect(
      fieldSelectorMatcher(
        { group: '', resource: 'namespaces' },
        'status.phase=Active',
      )({
        metadata: { name: 'n' },
        status: { phase: 'Active' },
      }),
    ).toBe(true);
    expect(
      fieldSelectorMatcher(
        { group: '', resource: 'secrets' },
        'type=kubernetes.io/tls',
      )({
        metadata: { name: 's', namespace: 'n' },
        type: 'Opaque',
      }),
    ).toBe(false);
  });

  it('treats metadata.namespace of a cluster-scoped object as empty', () => {
    const match = fieldSelectorMatcher(
      { group: 'storage.k8s.io', resource: 'storageclasses' },
      'metadata.namespace=x',
    );
    expect(match({ metadata: { name: 'standard' } })).toBe(false);
  });
});
