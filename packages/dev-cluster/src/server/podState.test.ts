import { isPodReady, isPodTerminal } from './podState';

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
