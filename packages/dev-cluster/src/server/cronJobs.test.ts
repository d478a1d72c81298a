import { scheduledTimes } from './cronJobs';

describe('scheduledTimes', () => {
  const at = (iso: string) => new Date(iso);

  it('finds the most recent start time since the last one, and the next', () => {
    const times = scheduledTimes(
      '*/10 * * * *',
      undefined,
      at('2026-03-01T10:00:00Z'),
      at('2026-03-01T10:35:00Z'),
    );
    expect(times.mostRecent).toEqual(at('2026-03-01T10:30:00Z'));
    expect(times.missed).toBe(3);
    expect(times.next).toEqual(at('2026-03-01T10:40:00Z'));
  });

  it('has no start time when none has come yet', () => {
    const times = scheduledTimes(
      '0 3 * * *',
      'Europe/Berlin',
      at('2026-03-01T12:00:00Z'),
      at('2026-03-01T13:00:00Z'),
    );
    expect(times.mostRecent).toBeUndefined();
    expect(times.missed).toBe(0);
    expect(times.next).toEqual(at('2026-03-02T02:00:00Z'));
  });

  it('stops counting far-behind start times and still finds the latest', () => {
    const times = scheduledTimes(
      '* * * * *',
      undefined,
      at('2026-03-01T00:00:00Z'),
      at('2026-03-01T06:00:30Z'),
    );
    expect(times.missed).toBeGreaterThan(100);
    expect(times.mostRecent).toEqual(at('2026-03-01T06:00:00Z'));
    expect(times.next).toEqual(at('2026-03-01T06:01:00Z'));
  });
});
