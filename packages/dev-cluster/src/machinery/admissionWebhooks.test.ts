import {
  callFailureReason,
  defaultMutatingWebhooks,
  MutatingWebhook,
  ruleMatches,
  validateMutatingWebhooks,
  webhookDenial,
  webhookMatches,
  WebhookRequest,
} from './admissionWebhooks';
import { formatFieldError } from './errors';

const POD_CREATE: WebhookRequest = {
  operation: 'CREATE',
  group: '',
  version: 'v1',
  resource: 'pods',
  namespaced: true,
  objectLabels: { app: 'web' },
  namespaceLabels: { team: 'shop' },
};

const hook = (overrides: Partial<MutatingWebhook> = {}): MutatingWebhook => {
  const webhook: MutatingWebhook = {
    name: 'pods.example.com',
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    clientConfig: { url: 'https://127.0.0.1:9443/mutate' },
    rules: [
      {
        apiGroups: [''],
        apiVersions: ['v1'],
        operations: ['CREATE'],
        resources: ['pods'],
      },
    ],
    ...overrides,
  };
  defaultMutatingWebhooks({ webhooks: [webhook] });
  return webhook;
};

describe('ruleMatches', () => {
  const rule = (overrides = {}) => ({
    apiGroups: [''],
    apiVersions: ['v1'],
    operations: ['CREATE'],
    resources: ['pods'],
    scope: '*',
    ...overrides,
  });

  it('matches operation, group, version and resource, with * for any', () => {
    expect(ruleMatches(rule(), POD_CREATE)).toBe(true);
    expect(ruleMatches(rule({ operations: ['UPDATE'] }), POD_CREATE)).toBe(
      false,
    );
    expect(ruleMatches(rule({ operations: ['*'] }), POD_CREATE)).toBe(true);
    expect(ruleMatches(rule({ apiGroups: ['apps'] }), POD_CREATE)).toBe(false);
    expect(ruleMatches(rule({ apiVersions: ['*'] }), POD_CREATE)).toBe(true);
    expect(ruleMatches(rule({ resources: ['services'] }), POD_CREATE)).toBe(
      false,
    );
  });

  it('tells resources from their subresources as Kubernetes does', () => {
    const status = { ...POD_CREATE, resource: 'pods/status' };
    expect(ruleMatches(rule({ resources: ['*'] }), POD_CREATE)).toBe(true);
    expect(ruleMatches(rule({ resources: ['*'] }), status)).toBe(false);
    expect(ruleMatches(rule({ resources: ['pods'] }), status)).toBe(false);
    expect(ruleMatches(rule({ resources: ['pods/*'] }), status)).toBe(true);
    expect(ruleMatches(rule({ resources: ['pods/*'] }), POD_CREATE)).toBe(
      false,
    );
    expect(ruleMatches(rule({ resources: ['*/status'] }), status)).toBe(true);
    expect(ruleMatches(rule({ resources: ['*/*'] }), status)).toBe(true);
  });

  it('honours scope', () => {
    expect(ruleMatches(rule({ scope: 'Namespaced' }), POD_CREATE)).toBe(true);
    expect(ruleMatches(rule({ scope: 'Cluster' }), POD_CREATE)).toBe(false);
  });
});

describe('webhookMatches', () => {
  it('needs a rule and both selectors (empty ones select everything)', () => {
    expect(webhookMatches(hook(), POD_CREATE)).toBe(true);
    expect(
      webhookMatches(
        hook({ namespaceSelector: { matchLabels: { team: 'ops' } } }),
        POD_CREATE,
      ),
    ).toBe(false);
    expect(
      webhookMatches(
        hook({
          objectSelector: {
            matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }],
          },
        }),
        POD_CREATE,
      ),
    ).toBe(true);
    expect(
      webhookMatches(
        hook({ objectSelector: { matchLabels: { app: 'db' } } }),
        POD_CREATE,
      ),
    ).toBe(false);
  });

  it('never filters cluster-scoped objects by namespaceSelector', () => {
    const node = {
      ...POD_CREATE,
      resource: 'nodes',
      namespaced: false,
      namespaceLabels: undefined,
    };
    expect(
      webhookMatches(
        hook({
          namespaceSelector: { matchLabels: { team: 'ops' } },
          rules: [
            {
              apiGroups: [''],
              apiVersions: ['v1'],
              operations: ['CREATE'],
              resources: ['nodes'],
              scope: '*',
            },
          ],
        }),
        node,
      ),
    ).toBe(true);
  });
});

describe('defaultMutatingWebhooks and validateMutatingWebhooks', () => {
  it('defaults as the v1 API does', () => {
    expect(
      hook({
        clientConfig: { service: { namespace: 'ops', name: 'hooks' } },
      }),
    ).toMatchObject({
      failurePolicy: 'Fail',
      matchPolicy: 'Equivalent',
      namespaceSelector: {},
      objectSelector: {},
      timeoutSeconds: 10,
      reinvocationPolicy: 'Never',
      clientConfig: { service: { port: 443 } },
      rules: [{ scope: '*' }],
    });
  });

  it('accepts a valid configuration', () => {
    expect(validateMutatingWebhooks({ webhooks: [hook()] })).toEqual([]);
  });

  it('refuses what kube-apiserver refuses, in its words', () => {
    const messages = validateMutatingWebhooks({
      webhooks: [
        hook({
          admissionReviewVersions: ['v2'],
          sideEffects: 'Some',
          failurePolicy: 'Retry' as 'Fail',
          clientConfig: {},
          rules: [{ operations: ['PATCH'], scope: 'Global' }],
          namespaceSelector: {
            matchExpressions: [{ key: 'a', operator: 'In', values: [] }],
          },
        }),
        hook(),
        hook(),
      ],
    }).map(formatFieldError);
    expect(messages).toEqual([
      'webhooks[0].admissionReviewVersions: Invalid value: ["v2"]: must include at least one of v1, v1beta1',
      'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
      'webhooks[0].failurePolicy: Unsupported value: "Retry": supported values: "Fail", "Ignore"',
      'webhooks[0].clientConfig: Required value: exactly one of url or service is required',
      'webhooks[0].rules[0].operations: Unsupported value: "PATCH": supported values: "CREATE", "UPDATE", "DELETE", "CONNECT"',
      'webhooks[0].rules[0].scope: Unsupported value: "Global": supported values: "*", "Cluster", "Namespaced"',
      "webhooks[0].namespaceSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      'webhooks[1].name: Duplicate value: "pods.example.com"',
      'webhooks[2].name: Duplicate value: "pods.example.com"',
    ]);
  });
});

describe('the words of refusals', () => {
  it('says who denied the request, and why', () => {
    expect(webhookDenial('a.example.com', { message: 'no' })).toEqual({
      code: 400,
      reason: '',
      message: 'admission webhook "a.example.com" denied the request: no',
    });
    expect(
      webhookDenial('a.example.com', { code: 403, reason: 'Forbidden' }),
    ).toEqual({
      code: 403,
      reason: 'Forbidden',
      message:
        'admission webhook "a.example.com" denied the request: Forbidden',
    });
    expect(webhookDenial('a.example.com', { code: 200 }).message).toBe(
      'admission webhook "a.example.com" denied the request without explanation',
    );
  });

  it("words a failed call as Go's client does", () => {
    const url = 'https://127.0.0.1:9443/mutate';
    expect(
      callFailureReason(
        Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
        url,
        10,
      ),
    ).toBe(
      'Post "https://127.0.0.1:9443/mutate?timeout=10s": dial tcp 127.0.0.1:9443: connect: connection refused',
    );
    expect(
      callFailureReason(
        Object.assign(new Error('x'), { code: 'ETIMEDOUT' }),
        url,
        3,
      ),
    ).toBe(
      'Post "https://127.0.0.1:9443/mutate?timeout=3s": context deadline exceeded',
    );
  });
});
