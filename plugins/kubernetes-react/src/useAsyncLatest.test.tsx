import { act, renderHook, waitFor } from '@testing-library/react';
import { useAsyncLatest } from './useAsyncLatest';

/** A load whose responses the test releases, in any order. */
function controlledLoads() {
  const pending: Array<(value: string) => void> = [];
  let calls = 0;
  const load = () => {
    calls += 1;
    return new Promise<string>(resolve => pending.push(resolve));
  };
  return { load, pending, calls: () => calls };
}

describe('useAsyncLatest', () => {
  it('runs a retry asked for while a load is under way, and shows its result', async () => {
    const loads = controlledLoads();
    const { result } = renderHook(() => useAsyncLatest(loads.load, []));
    expect(loads.calls()).toBe(1);
    // A change is made while the first load is in flight.
    act(() => result.current.retry());
    expect(loads.calls()).toBe(2);
    // The first response was read before the change; the second after it.
    await act(async () => loads.pending[0]('before the change'));
    await act(async () => loads.pending[1]('after the change'));
    await waitFor(() => expect(result.current.value).toBe('after the change'));
    expect(result.current.loading).toBe(false);
  });

  it('keeps the latest load’s result when an older response arrives last', async () => {
    const loads = controlledLoads();
    const { result } = renderHook(() => useAsyncLatest(loads.load, []));
    act(() => result.current.retry());
    await act(async () => loads.pending[1]('latest'));
    await act(async () => loads.pending[0]('older'));
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.value).toBe('latest');
  });

  it('loads again when its dependencies change', async () => {
    const loads = controlledLoads();
    const { rerender } = renderHook(
      ({ id }) => useAsyncLatest(loads.load, [id]),
      {
        initialProps: { id: 'a' },
      },
    );
    rerender({ id: 'b' });
    expect(loads.calls()).toBe(2);
  });
});
