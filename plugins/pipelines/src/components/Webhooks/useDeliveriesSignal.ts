import { useEffect, useReducer } from 'react';
import { useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { WEBHOOK_DELIVERIES_SIGNAL_CHANNEL } from '@cairn/plugin-pipelines-common';

/**
 * A number that goes up whenever the backend signals that webhook
 * deliveries were stored or processed (at most twice a second, however
 * many arrive), for the delivery log to put among its fetch's dependencies
 * and so show new deliveries and outcomes without a reload. A dependency
 * rather than `retry()`, which does nothing while a fetch is under way and
 * would drop a delivery stored during it. Without Signals in the app it
 * stays 0 and the page's Refresh button is the way.
 */
export function useDeliveriesSignal(): number {
  const signals = useApiHolder().get(signalApiRef);
  const [version, bump] = useReducer((v: number) => v + 1, 0);
  useEffect(() => {
    if (!signals) return undefined;
    const subscription = signals.subscribe(
      WEBHOOK_DELIVERIES_SIGNAL_CHANNEL,
      () => bump(),
    );
    return () => subscription.unsubscribe();
  }, [signals]);
  return version;
}
