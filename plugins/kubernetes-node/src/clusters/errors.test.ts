import { NotFoundError } from '@backstage/errors';
import { ApiException } from '@kubernetes/client-node';
import { isNotFound, mapKubernetesError } from './errors';

const ctx = {
  cluster: 'dev',
  verb: 'create' as const,
  resource: 'pipelineruns',
  group: 'tekton.dev',
  namespace: 'ci',
};

function apiError(code: number, status: object) {
  return new ApiException(code, 'failed', JSON.stringify(status), {});
}

describe('mapKubernetesError', () => {
  it('keeps an error of the portal, such as an unknown cluster, as it is', () => {
    const unknownCluster = new NotFoundError(
      'cluster "default" is not configured; configured clusters: dev',
    );
    expect(mapKubernetesError(unknownCluster, ctx)).toBe(unknownCluster);
  });

  it('names the grant an RBAC denial needs', () => {
    const error = mapKubernetesError(
      apiError(403, {
        reason: 'Forbidden',
        message:
          'pipelineruns.tekton.dev is forbidden: User "system:serviceaccount:cairn-system:cairn-portal" cannot create resource "pipelineruns"',
      }),
      ctx,
    );
    expect(error.name).toBe('ServiceUnavailableError');
    expect(error.message).toContain(
      `the portal's service account may not create pipelineruns.tekton.dev in namespace "ci" on cluster "dev": grant it "create" on "pipelineruns" in API group "tekton.dev" with a Role in "ci" or ClusterRole bound to it`,
    );
    expect(error.message).toContain('cannot create resource');
  });

  it('passes admission messages through as input errors', () => {
    const error = mapKubernetesError(
      apiError(400, {
        message:
          'admission webhook "validation.webhook.pipeline.tekton.dev" denied the request: validation failed: invalid value: -1: spec.timeouts',
      }),
      ctx,
    );
    expect(error.name).toBe('InputError');
    expect(error.message).toContain('denied the request');
  });

  it.each([
    [404, { reason: 'NotFound' }, 'NotFoundError', 'not found in namespace'],
    [404, {}, 'NotFoundError', 'is the CustomResourceDefinition of'],
    [409, { reason: 'AlreadyExists' }, 'ConflictError', 'reload and try again'],
    [401, {}, 'ServiceUnavailableError', 'renew serviceAccountToken'],
    [503, {}, 'ServiceUnavailableError', 'try again later'],
  ])('maps HTTP %s', (code, status, name, message) => {
    const error = mapKubernetesError(apiError(code, status), ctx);
    expect(error.name).toBe(name);
    expect(error.message).toContain(message);
  });

  it("asks the caller's question when the resource is not served", () => {
    const error = mapKubernetesError(apiError(404, {}), {
      ...ctx,
      notServedHint: 'is Tekton Pipelines installed?',
    });
    expect(error.message).toBe(
      'pipelineruns.tekton.dev is not served in namespace "ci" on cluster "dev"; is Tekton Pipelines installed?',
    );
  });

  it('names the url key when the cluster cannot be reached', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
    });
    const error = mapKubernetesError(
      Object.assign(new Error('request failed'), { cause }),
      ctx,
    );
    expect(error.message).toBe(
      'cannot reach cluster "dev" (ECONNREFUSED); check url of cluster "dev" in kubernetes.clusterLocatorMethods',
    );
  });

  it('names the CA keys on certificate errors', () => {
    const error = mapKubernetesError(
      Object.assign(new Error('self signed'), {
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      }),
      ctx,
    );
    expect(error.message).toContain('set caData or caFile of cluster "dev"');
  });
});

describe('isNotFound', () => {
  it('holds for a 404 of the API, however the client reports it', () => {
    expect(isNotFound(apiError(404, { reason: 'NotFound' }))).toBe(true);
    // A watch or log stream reports the status as statusCode.
    expect(
      isNotFound(Object.assign(new Error('gone'), { statusCode: 404 })),
    ).toBe(true);
    expect(isNotFound(apiError(403, { reason: 'Forbidden' }))).toBe(false);
    expect(
      isNotFound(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })),
    ).toBe(false);
    expect(isNotFound(undefined)).toBe(false);
  });
});
