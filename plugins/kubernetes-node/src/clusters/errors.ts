import {
  ConflictError,
  CustomErrorBase,
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';

/**
 * What a Kubernetes call was doing, for an error message a developer can act
 * on: `create` `pipelineruns.tekton.dev` in namespace `ci` on cluster `dev`.
 * @public
 */
export interface KubernetesCallContext {
  cluster: string;
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
  /** `pipelineruns`, `pods`, … */
  resource: string;
  /** API group, empty for the core group. */
  group?: string;
  namespace?: string;
  name?: string;
  /**
   * What to check when the API server does not serve the resource at all
   * (a 404 naming no object), in the caller's terms: e.g. "is Tekton
   * Pipelines installed?". Without it the message asks for the resource's
   * CustomResourceDefinition.
   */
  notServedHint?: string;
}

interface KubernetesStatus {
  message?: string;
  reason?: string;
  code?: number;
}

function statusOf(error: unknown): {
  code?: number;
  status?: KubernetesStatus;
} {
  const e = error as { code?: unknown; body?: unknown; statusCode?: unknown };
  let code: number | undefined;
  if (typeof e?.code === 'number') {
    code = e.code;
  } else if (typeof e?.statusCode === 'number') {
    code = e.statusCode;
  }
  let status: KubernetesStatus | undefined;
  if (typeof e?.body === 'string') {
    try {
      status = JSON.parse(e.body);
    } catch {
      status = { message: e.body };
    }
  } else if (e?.body && typeof e.body === 'object') {
    status = e.body as KubernetesStatus;
  }
  return { code, status };
}

/** The HTTP status of a failed Kubernetes call, when it got that far. @public */
export function kubernetesStatusCode(error: unknown): number | undefined {
  return statusOf(error).code;
}

/**
 * Whether a Kubernetes call failed because what it named does not exist
 * (404): the one test of "not found" for every call the backend makes.
 * @public
 */
export function isNotFound(error: unknown): boolean {
  return kubernetesStatusCode(error) === 404;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

function networkCode(error: unknown): string | undefined {
  let current = error as { code?: unknown; cause?: unknown } | undefined;
  for (let i = 0; current && i < 5; i++) {
    if (typeof current.code === 'string' && NETWORK_CODES.has(current.code)) {
      return current.code;
    }
    current = current.cause as typeof current;
  }
  const message = String((error as Error)?.message ?? '');
  return [...NETWORK_CODES].find(c => message.includes(c));
}

/**
 * Turns an error of @kubernetes/client-node into a Backstage error whose
 * message says what happened and what to change: RBAC denials name the verb,
 * resource and namespace to grant, admission webhook rejections carry the
 * webhook's message, a resource the server does not serve says what to
 * install (`ctx.notServedHint`), and unreachable clusters name the config
 * key.
 * @public
 */
export function mapKubernetesError(
  error: unknown,
  ctx: KubernetesCallContext,
): Error {
  // Already a Backstage error of ours (e.g. an unknown cluster name): it
  // says what to fix; wrapping it would turn a 404 into a 503.
  if (error instanceof CustomErrorBase) return error;
  const { code, status } = statusOf(error);
  const resource = ctx.group ? `${ctx.resource}.${ctx.group}` : ctx.resource;
  const scope = ctx.namespace
    ? `in namespace "${ctx.namespace}" on cluster "${ctx.cluster}"`
    : `on cluster "${ctx.cluster}"`;
  const object = ctx.name ? `${resource} "${ctx.name}"` : resource;
  const detail = status?.message ? ` (${status.message})` : '';
  switch (code) {
    case 400:
    case 422:
      return new InputError(
        `the cluster rejected ${object} ${scope}: ${
          status?.message ?? 'invalid object'
        }`,
      );
    case 401:
      return new ServiceUnavailableError(
        `cluster "${ctx.cluster}" rejected the portal's credentials; renew serviceAccountToken of cluster "${ctx.cluster}" in kubernetes.clusterLocatorMethods${detail}`,
      );
    case 403:
      return new ServiceUnavailableError(
        `the portal's service account may not ${
          ctx.verb
        } ${resource} ${scope}: grant it "${ctx.verb}" on "${
          ctx.resource
        }" in API group "${ctx.group ?? ''}" with a Role${
          ctx.namespace ? ` in "${ctx.namespace}"` : ''
        } or ClusterRole bound to it${detail}`,
      );
    case 404:
      if (status?.reason === 'NotFound' || ctx.name) {
        return new NotFoundError(`${object} not found ${scope}`);
      }
      return new NotFoundError(
        `${resource} is not served ${scope}; ${
          ctx.notServedHint ??
          `is the CustomResourceDefinition of ${resource} installed?`
        }${detail}`,
      );
    case 409:
      return new ConflictError(
        `${object} ${scope} changed or already exists; reload and try again${detail}`,
      );
    case 410:
      return new ConflictError(
        `the list of ${resource} ${scope} expired; reload${detail}`,
      );
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return new ServiceUnavailableError(
        `cluster "${ctx.cluster}" could not ${ctx.verb} ${object} (HTTP ${code}); try again later${detail}`,
      );
    default:
      break;
  }
  const network = networkCode(error);
  if (network) {
    const tls = network.startsWith('CERT') || network.includes('CERT');
    return new ServiceUnavailableError(
      tls
        ? `the certificate of cluster "${ctx.cluster}" is not trusted (${network}); set caData or caFile of cluster "${ctx.cluster}" in kubernetes.clusterLocatorMethods`
        : `cannot reach cluster "${ctx.cluster}" (${network}); check url of cluster "${ctx.cluster}" in kubernetes.clusterLocatorMethods`,
    );
  }
  return new ServiceUnavailableError(
    `cluster "${ctx.cluster}" failed to ${ctx.verb} ${object}${
      code ? ` (HTTP ${code})` : ''
    }: ${status?.message ?? (error as Error)?.message ?? String(error)}`,
  );
}
