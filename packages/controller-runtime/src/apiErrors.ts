import type { ReconcileResult } from './controller';
import type { Logger } from './logger';

/** The HTTP status of a failed API call: client-node's ApiException `code`, or a `statusCode`. */
export function statusOf(error: unknown): number | undefined {
  const e = error as { code?: number; statusCode?: number } | null;
  return e?.code ?? e?.statusCode;
}

/** The message of a Kubernetes Status in a failed call's body. */
export function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown } | null)?.body;
  try {
    const status = typeof body === 'string' ? JSON.parse(body) : body;
    if (typeof status?.message === 'string') return status.message;
  } catch {
    // not JSON: the error's own message below
  }
  return String((error as Error)?.message ?? error);
}

/** A write that lost a race with another writer or with the cache; the next reconcile sees why. */
export class StaleCache extends Error {}

/** The API server refused a write for good (validation, admission, quota); retrying cannot help until something changes. */
export class Refused extends Error {}

/**
 * Awaits a write. A failure with a status in `stale` becomes a `StaleCache`
 * naming `what`, one in `refused` a `Refused` with the API server's message;
 * any other failure passes through.
 */
export async function awaitWrite(
  call: Promise<unknown>,
  options: { what: string; stale: number[]; refused?: number[] },
): Promise<void> {
  try {
    await call;
  } catch (error) {
    const status = statusOf(error);
    if (status !== undefined && options.stale.includes(status))
      throw new StaleCache(`${options.what}: HTTP ${status}`);
    if (status !== undefined && options.refused?.includes(status))
      throw new Refused(apiMessage(error));
    throw error;
  }
}

/** Awaits a call for which 404 Not Found is success: what it would remove is gone. */
export async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}

/**
 * A reconcile's answer to a failed write: after a `StaleCache` it looks
 * again (logged, not an error); anything else is reported through `warn`
 * (best effort; its first 1024 characters, an Event message's limit) and
 * thrown, so the key backs off.
 */
export async function reconcileFailure(
  error: unknown,
  options: {
    key: string;
    logger: Logger;
    warn: (message: string) => Promise<void>;
  },
): Promise<ReconcileResult> {
  if (error instanceof StaleCache) {
    options.logger.info('cache behind a write; looking again', {
      key: options.key,
      reason: error.message,
    });
    return { requeue: true };
  }
  await options
    .warn(String((error as Error)?.message ?? error).slice(0, 1024))
    .catch(() => {});
  throw error;
}
