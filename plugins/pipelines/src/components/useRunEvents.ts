import { useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { pipelinesApiRef, RunChange } from '../api';

/** How long to wait before opening the event stream again after it failed. */
export const RECONNECT_MS = 15_000;

/**
 * Subscribes to the entity's run changes pushed by the backend (every
 * readable entity's when `entityRef` is undefined). `connected`
 * tells whether the stream is open, so callers can fall back to polling
 * while it is not.
 */
export function useRunEvents(
  entityRef: string | undefined,
  onChanges: (changes: RunChange[]) => void,
): { connected: boolean } {
  const api = useApi(pipelinesApiRef);
  const [connected, setConnected] = useState(false);
  const handler = useRef(onChanges);
  handler.current = onChanges;

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      setConnected(true);
      api
        .watchRuns(
          entityRef,
          changes => handler.current(changes),
          controller.signal,
        )
        .catch(() => undefined)
        .finally(() => {
          if (controller.signal.aborted) return;
          setConnected(false);
          timer = setTimeout(open, RECONNECT_MS);
        });
    };
    open();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [api, entityRef]);

  return { connected };
}
