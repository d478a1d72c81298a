import { isPodAvailable, isPodReady, isPodTerminal } from './podState';

describe('isPodReady', () => {
  it('is true only when the Ready condition is True', () => {
    const withReady = (status: string) => ({
      status: {
        conditions: [
          { type: 'ContainersReady', status: 'True' },
          { type: 'Ready', status },
        ],
      },
    });
    expect(isPodReady(withReady('True'))).toBe(true);
    expect(isPodReady(withReady('False'))).toBe(false);
    expect(isPodReady(withReady('Unknown'))).toBe(false);
    expect(
      isPodReady({
        status: { conditions: [{ type: 'ContainersReady', status: 'True' }] },
      }),
    ).toBe(false);
    expect(isPodReady({})).toBe(false);
  });
});

describe('isPodTerminal', () => {
  it('is true for Succeeded and Failed pods only', () => {
    const inPhase = (phase?: string) => ({ status: { phase } });
    expect(isPodTerminal(inPhase('Succeeded'))).toBe(true);
    expect(isPodTerminal(inPhase('Failed'))).toBe(true);
    expect(isPodTerminal(inPhase('Running'))).toBe(false);
    expect(isPodTerminal(inPhase('Pending'))).toBe(false);
    expect(isPodTerminal(inPhase(undefined))).toBe(false);
    expect(isPodTerminal({})).toBe(false);
  });
});

describe('isPodAvailable', () => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  const readySince = (lastTransitionTime: string, status = 'True') => ({
    status: { conditions: [{ type: 'Ready', status, lastTransitionTime }] },
  });

  it('needs a True Ready condition', () => {
    expect(isPodAvailable(readySince('2026-01-01T00:00:00Z'), 0, now)).toBe(
      true,
    );
    expect(
      isPodAvailable(readySince('2026-01-01T00:00:00Z', 'False'), 0, now),
    ).toBe(false);
    expect(isPodAvailable({}, 0, now)).toBe(false);
  });

  it('needs the pod to have been Ready for minReadySeconds', () => {
    const pod = readySince('2026-01-01T00:00:30Z');
    expect(isPodAvailable(pod, 30, now)).toBe(true);
    expect(isPodAvailable(pod, 31, now)).toBe(false);
  });
});
