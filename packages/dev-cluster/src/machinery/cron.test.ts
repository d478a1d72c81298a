import { CronScheduleError, parseCronSchedule } from './cron';

const next = (schedule: string, after: string, timeZone?: string) =>
  parseCronSchedule(schedule).next(new Date(after), timeZone)?.toISOString();

describe('parseCronSchedule', () => {
  it('finds the next minute of a five-field schedule', () => {
    expect(next('*/15 * * * *', '2026-03-01T10:07:30Z')).toBe(
      '2026-03-01T10:15:00.000Z',
    );
    expect(next('0 3 * * *', '2026-03-01T03:00:00Z')).toBe(
      '2026-03-02T03:00:00.000Z',
    );
    expect(next('30 9 * * mon-fri', '2026-03-06T10:00:00Z')).toBe(
      '2026-03-09T09:30:00.000Z',
    );
    expect(next('0 0 1 jan,jul *', '2026-03-01T00:00:00Z')).toBe(
      '2026-07-01T00:00:00.000Z',
    );
  });

  it('matches either day field when both are restricted, as cron does', () => {
    // The 13th or any Friday: 2026-03-06 is a Friday before the 13th.
    expect(next('0 0 13 * 5', '2026-03-01T00:00:00Z')).toBe(
      '2026-03-06T00:00:00.000Z',
    );
  });

  it('reads descriptors and @every', () => {
    expect(next('@hourly', '2026-03-01T10:07:00Z')).toBe(
      '2026-03-01T11:00:00.000Z',
    );
    expect(next('@yearly', '2026-03-01T10:07:00Z')).toBe(
      '2027-01-01T00:00:00.000Z',
    );
    expect(next('@every 1m30s', '2026-03-01T10:07:00Z')).toBe(
      '2026-03-01T10:08:30.000Z',
    );
  });

  it('evaluates the schedule in a time zone, across daylight saving time', () => {
    // 03:00 in Berlin is 02:00 UTC in winter (CET) and 01:00 UTC in summer (CEST).
    expect(next('0 3 * * *', '2026-03-01T12:00:00Z', 'Europe/Berlin')).toBe(
      '2026-03-02T02:00:00.000Z',
    );
    expect(next('0 3 * * *', '2026-07-01T12:00:00Z', 'Europe/Berlin')).toBe(
      '2026-07-02T01:00:00.000Z',
    );
    expect(next('0 9 * * *', '2026-03-01T12:00:00Z', 'Asia/Kolkata')).toBe(
      '2026-03-02T03:30:00.000Z',
    );
  });

  it('has no next time for a date that never comes', () => {
    expect(next('0 0 30 2 *', '2026-01-01T00:00:00Z')).toBeUndefined();
  });

  it.each([
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['61 * * * *', 'end of range (61) above maximum (59): 61'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    [
      'x * * * *',
      'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax',
    ],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
  ])('rejects %p as cron.ParseStandard does', (schedule, message) => {
    expect(() => parseCronSchedule(schedule)).toThrow(
      new CronScheduleError(message),
    );
  });
});
