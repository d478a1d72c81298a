import { useEffect, useReducer, useRef } from 'react';
import { useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  ENVIRONMENTS_SIGNAL_CHANNEL,
  EnvironmentsChangedSignal,
} from '@cairn/plugin-environments-common';

/**
 * A number that goes up whenever the backend signals a change `concerns`
 * (Environments or nodes of a cluster changed), for a page to put among
 * its fetch's dependencies and so refetch without a reload; and whether
 * the app has Signals at all (without them the page polls instead). A
 * dependency rather than `retry()`, which does nothing while a fetch is
 * under way and would drop a change made during it.
 */
export function useEnvironmentsSignal(
  concerns: (signal: EnvironmentsChangedSignal) => boolean,
): { version: number; live: boolean } {
  const signals = useApiHolder().get(signalApiRef);
  const [version, bump] = useReducer((v: number) => v + 1, 0);
  const latest = useRef(concerns);
  latest.current = concerns;
  useEffect(() => {
    if (!signals) return undefined;
    const subscription = signals.subscribe<
      EnvironmentsChangedSignal & { [key: string]: any }
    >(ENVIRONMENTS_SIGNAL_CHANNEL, message => {
      if (latest.current(message)) bump();
    });
    return () => subscription.unsubscribe();
  }, [signals]);
  return { version, live: Boolean(signals) };
}
