import { DependencyList, useCallback, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import type { AsyncState } from 'react-use/esm/useAsyncFn';

/**
 * react-use's useAsyncRetry, except that `retry` is never lost. Its retry
 * is a no-op while a load is under way, so a change made during a load
 * (whose response may have been read before it) left the view stale: a
 * Stone changed by an action while the view was refetching showed the old
 * state. Here every retry starts a new load, and only the latest load's
 * result is kept (useAsync drops older ones), so the view always ends on
 * data read after the last retry. Changes the backend signals reach a
 * load through its dependencies instead (useSignalVersion).
 */
export function useAsyncLatest<T>(
  load: () => Promise<T>,
  deps: DependencyList,
): AsyncState<T> & { retry: () => void } {
  const [attempt, setAttempt] = useState(0);
  // The caller's deps are the load's; the attempt forces a new load.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const state = useAsync(load, [...deps, attempt]);
  const retry = useCallback(() => setAttempt(a => a + 1), []);
  return { ...state, retry };
}
