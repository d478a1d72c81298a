import type { SignalApi } from '@backstage/plugin-signals-react';

/**
 * The app's Signals in a test: what is subscribed to each channel, and a
 * message sent to a channel's subscribers (in `act()`, as views update).
 */
export function mockSignalApi() {
  const listeners = new Map<string, Set<(message: any) => void>>();
  const api: SignalApi = {
    subscribe: (channel, onMessage) => {
      const onChannel = listeners.get(channel) ?? new Set();
      listeners.set(channel, onChannel.add(onMessage));
      return { unsubscribe: () => onChannel.delete(onMessage) };
    },
  };
  return {
    api,
    publish: (channel: string, message: object) =>
      listeners.get(channel)?.forEach(listener => listener(message)),
    subscribers: (channel: string) => listeners.get(channel)?.size ?? 0,
  };
}
