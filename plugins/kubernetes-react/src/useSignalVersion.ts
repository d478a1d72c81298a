import { useEffect, useReducer, useRef } from 'react';
import { useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';

/**
 * A number that changes whenever a signal arrives on `channel` that
 * `concerns` the view (every signal, without `concerns`), for the view's
 * load to list among its dependencies: a load under way when a change is
 * signalled may have read before it, and a changed dependency starts a new
 * load whose result replaces it (react-use's `retry` instead does nothing
 * while a load is under way, so that change went unseen).
 *
 * Each message is judged on arrival, with the latest `concerns`: not
 * Signals' `useSignal`, whose `lastSignal` keeps only the last of the
 * messages that arrive before a render, so one concerning this view could
 * be followed by one that does not and be lost. Without Signals in the app
 * it stays 0.
 */
export function useSignalVersion<TMessage = unknown>(
  channel: string,
  concerns?: (message: TMessage) => boolean,
): number {
  const signals = useApiHolder().get(signalApiRef);
  const [version, bump] = useReducer((v: number) => v + 1, 0);
  const latestConcerns = useRef(concerns);
  latestConcerns.current = concerns;
  useEffect(() => {
    if (!signals) return undefined;
    const subscription = signals.subscribe(channel, message => {
      const judge = latestConcerns.current;
      if (!judge || judge(message as TMessage)) bump();
    });
    return () => subscription.unsubscribe();
  }, [signals, channel]);
  return version;
}
