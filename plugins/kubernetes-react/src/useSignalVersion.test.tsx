import { ReactNode } from 'react';
import { act, renderHook, waitFor } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import { SignalApi, signalApiRef } from '@backstage/plugin-signals-react';
import { mockSignalApi } from './testUtils';
import { useAsyncLatest } from './useAsyncLatest';
import { useSignalVersion } from './useSignalVersion';

type Change = { cluster: string };
const CHANNEL = 'test:changes';

/** The app's Signals; `publish` sends the messages before React renders again. */
function fakeSignals() {
  const signals = mockSignalApi();
  const publish = (channel: string, ...messages: Change[]) =>
    act(() => messages.forEach(message => signals.publish(channel, message)));
  return { ...signals, publish };
}

function withSignals(api?: SignalApi) {
  const apis: [typeof signalApiRef, SignalApi][] = api
    ? [[signalApiRef, api]]
    : [];
  return ({ children }: { children: ReactNode }) => (
    <TestApiProvider apis={apis}>{children}</TestApiProvider>
  );
}

/** A load whose responses the test releases, in any order. */
function controlledLoads() {
  const pending: Array<(value: string) => void> = [];
  const load = () => new Promise<string>(resolve => pending.push(resolve));
  return { load, pending };
}

const ofCluster = (cluster: string) => (change: Change) =>
  change.cluster === cluster;

describe('useSignalVersion', () => {
  it('changes on a signal that concerns the view, and not on one that does not', () => {
    const signals = fakeSignals();
    const { result } = renderHook(
      () => useSignalVersion(CHANNEL, ofCluster('dev')),
      { wrapper: withSignals(signals.api) },
    );
    const initial = result.current;
    signals.publish(CHANNEL, { cluster: 'prod' });
    expect(result.current).toBe(initial);
    signals.publish('test:other', { cluster: 'dev' });
    expect(result.current).toBe(initial);
    signals.publish(CHANNEL, { cluster: 'dev' });
    const afterFirst = result.current;
    expect(afterFirst).not.toBe(initial);
    signals.publish(CHANNEL, { cluster: 'dev' });
    expect(result.current).not.toBe(afterFirst);
  });

  it('changes on every signal without a predicate', () => {
    const signals = fakeSignals();
    const { result } = renderHook(() => useSignalVersion(CHANNEL), {
      wrapper: withSignals(signals.api),
    });
    const initial = result.current;
    signals.publish(CHANNEL, { cluster: 'any' });
    expect(result.current).not.toBe(initial);
  });

  it('keeps a signal that concerns the view when one that does not follows it before a render', () => {
    const signals = fakeSignals();
    const { result } = renderHook(
      () => useSignalVersion(CHANNEL, ofCluster('dev')),
      { wrapper: withSignals(signals.api) },
    );
    const initial = result.current;
    signals.publish(CHANNEL, { cluster: 'dev' }, { cluster: 'prod' });
    expect(result.current).not.toBe(initial);
  });

  it('judges each signal with the predicate of the latest render', () => {
    const signals = fakeSignals();
    const { result, rerender } = renderHook(
      ({ cluster }) => useSignalVersion(CHANNEL, ofCluster(cluster)),
      { wrapper: withSignals(signals.api), initialProps: { cluster: 'dev' } },
    );
    rerender({ cluster: 'prod' });
    const initial = result.current;
    signals.publish(CHANNEL, { cluster: 'dev' });
    expect(result.current).toBe(initial);
    signals.publish(CHANNEL, { cluster: 'prod' });
    expect(result.current).not.toBe(initial);
    // The subscription outlives the predicate: no second one per render.
    expect(signals.subscribers(CHANNEL)).toBe(1);
  });

  it('as a dependency, loads again after every signal that arrives while a load is under way', async () => {
    const signals = fakeSignals();
    const loads = controlledLoads();
    const { result } = renderHook(
      () => {
        const version = useSignalVersion(CHANNEL, ofCluster('dev'));
        return useAsyncLatest(loads.load, [version]);
      },
      { wrapper: withSignals(signals.api) },
    );
    expect(loads.pending).toHaveLength(1);
    // Two changes while the first load is in flight: each may have been
    // read before, so each must be followed by a load started after it.
    signals.publish(CHANNEL, { cluster: 'dev' });
    expect(loads.pending).toHaveLength(2);
    signals.publish(CHANNEL, { cluster: 'dev' });
    expect(loads.pending).toHaveLength(3);
    // One that does not concern the view starts none.
    signals.publish(CHANNEL, { cluster: 'prod' });
    expect(loads.pending).toHaveLength(3);
    await act(async () => loads.pending[0]('before both changes'));
    await act(async () => loads.pending[1]('before the second change'));
    await act(async () => loads.pending[2]('after both changes'));
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.value).toBe('after both changes');
  });

  it('as a dependency, loads again once for signals that arrive before a render', async () => {
    const signals = fakeSignals();
    const loads = controlledLoads();
    renderHook(
      () => {
        const version = useSignalVersion(CHANNEL);
        return useAsyncLatest(loads.load, [version]);
      },
      { wrapper: withSignals(signals.api) },
    );
    signals.publish(CHANNEL, { cluster: 'dev' }, { cluster: 'dev' });
    expect(loads.pending).toHaveLength(2);
  });

  it('stays 0 without Signals in the app', () => {
    const { result } = renderHook(() => useSignalVersion(CHANNEL), {
      wrapper: withSignals(),
    });
    expect(result.current).toBe(0);
  });

  it('unsubscribes when the view unmounts, and moves with its channel', () => {
    const signals = fakeSignals();
    const { rerender, unmount } = renderHook(
      ({ channel }) => useSignalVersion(channel),
      { wrapper: withSignals(signals.api), initialProps: { channel: CHANNEL } },
    );
    expect(signals.subscribers(CHANNEL)).toBe(1);
    rerender({ channel: 'test:other' });
    expect(signals.subscribers(CHANNEL)).toBe(0);
    expect(signals.subscribers('test:other')).toBe(1);
    unmount();
    expect(signals.subscribers('test:other')).toBe(0);
  });
});
