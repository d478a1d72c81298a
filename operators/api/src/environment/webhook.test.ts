import { placementWebhookConfiguration } from './webhook';

describe('placementWebhookConfiguration', () => {
  const configuration = placementWebhookConfiguration({
    clientConfig: {
      service: {
        namespace: 'cairn-system',
        name: 'cairn-operators-webhook',
        path: '/mutate-v1-pod',
        port: 443,
      },
    },
    caPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  });
  const [webhook] = configuration.webhooks!;

  it("sends only pod creations in Environments' namespaces", () => {
    expect(webhook.rules).toEqual([
      {
        apiGroups: [''],
        apiVersions: ['v1'],
        operations: ['CREATE'],
        resources: ['pods'],
        scope: 'Namespaced',
      },
    ]);
    expect(webhook.namespaceSelector).toEqual({
      matchExpressions: [
        { key: 'tenancy.cairn.dev/environment', operator: 'Exists' },
      ],
    });
  });

  it('fails closed, has no side effects, and carries the CA in base64', () => {
    expect(webhook).toMatchObject({
      failurePolicy: 'Fail',
      sideEffects: 'None',
      timeoutSeconds: 10,
      admissionReviewVersions: ['v1'],
      reinvocationPolicy: 'IfNeeded',
    });
    expect(
      Buffer.from(webhook.clientConfig.caBundle!, 'base64').toString(),
    ).toContain('BEGIN CERTIFICATE');
    expect(webhook.clientConfig.service?.name).toBe('cairn-operators-webhook');
  });

  it('takes Ignore and a timeout when asked', () => {
    const [ignoring] = placementWebhookConfiguration({
      clientConfig: { url: 'https://127.0.0.1:9443/mutate-v1-pod' },
      caPem: 'x',
      failurePolicy: 'Ignore',
      timeoutSeconds: 3,
    }).webhooks!;
    expect(ignoring).toMatchObject({
      failurePolicy: 'Ignore',
      timeoutSeconds: 3,
    });
  });
});
