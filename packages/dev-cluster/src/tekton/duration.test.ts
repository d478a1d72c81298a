import { formatDuration, parseDuration } from './duration';

describe('Go durations', () => {
  it('parses', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('0s')).toBe(0);
    expect(parseDuration('10')).toBeUndefined();
    expect(parseDuration('1x')).toBeUndefined();
  });

  it('prints as Go does', () => {
    expect(formatDuration(3_600_000)).toBe('1h0m0s');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(1_000)).toBe('1s');
    expect(formatDuration(1_500)).toBe('1.5s');
    expect(formatDuration(500)).toBe('500ms');
    expect(formatDuration(0)).toBe('0s');
  });
});
