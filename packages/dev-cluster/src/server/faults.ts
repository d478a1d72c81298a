import type { RequestInfo } from './requestInfo';
import { ApiError, internalError } from './status';

/*
 * Fault injection for reliability tests: added latency, failures by verb and
 * resource at a given rate, and watches that drop after a while (clients must
 * re-list and re-watch, as after an API server restart).
 */

export interface FaultRule {
  /** Verbs (get, list, watch, create, update, patch, delete, …) it applies to; all when absent. */
  verbs?: string[];
  /** Resources it applies to: `pods`, `deployments.apps`; all when absent. */
  resources?: string[];
  /** Subresources it applies to (`status`; `''` for the resource itself); all when absent. */
  subresources?: string[];
  /** Probability (0–1) that a matching request fails. */
  errorRate?: number;
  /** The code of injected failures: 500 (default), 429 or 503. */
  errorCode?: 500 | 429 | 503;
  /** Milliseconds added before a matching request is served. */
  latencyMs?: number;
}

export interface FaultInjection {
  rules?: FaultRule[];
  /** Watches end after this many milliseconds. */
  dropWatchesAfterMs?: number;
  /** The random source of error rates (default Math.random), for reproducible runs. */
  random?: () => number;
}

function matches(rule: FaultRule, info: RequestInfo): boolean {
  const resource = info.apiGroup
    ? `${info.resource}.${info.apiGroup}`
    : info.resource;
  return (
    (!rule.verbs || rule.verbs.includes(info.verb)) &&
    (!rule.resources || rule.resources.includes(resource)) &&
    (!rule.subresources || rule.subresources.includes(info.subresource))
  );
}

function injectedError(code: number): ApiError {
  switch (code) {
    case 429:
      return new ApiError(
        429,
        'TooManyRequests',
        'Too many requests, please try again later.',
        {
          retryAfterSeconds: 1,
        },
      );
    case 503:
      return new ApiError(
        503,
        'ServiceUnavailable',
        'the server is currently unable to handle the request (injected fault)',
      );
    default:
      return internalError(new Error('injected fault'));
  }
}

/** Delays and possibly fails a resource request as the rules say. */
export async function applyFaults(
  faults: FaultInjection | undefined,
  info: RequestInfo,
): Promise<void> {
  if (!faults?.rules?.length || !info.isResourceRequest) return;
  const random = faults.random ?? Math.random;
  for (const rule of faults.rules) {
    if (!matches(rule, info)) continue;
    if (rule.latencyMs)
      await new Promise(resolve => setTimeout(resolve, rule.latencyMs));
    if (rule.errorRate && random() < rule.errorRate)
      throw injectedError(rule.errorCode ?? 500);
  }
}
