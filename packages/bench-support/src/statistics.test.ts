import { median, percentile, summarize } from './statistics';

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('takes the nearest rank', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20], 95)).toBe(20);
  });

  it('stays within the samples at the edges', () => {
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN without samples', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('summarize', () => {
  it('sorts numerically, not as text', () => {
    const summary = summarize([100, 9, 20, 3]);
    expect(summary).toEqual({
      count: 4,
      p50: 9,
      p95: 100,
      p99: 100,
      max: 100,
      mean: 33,
    });
  });

  it('leaves the samples in their order', () => {
    const samples = [3, 1, 2];
    summarize(samples);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('is NaN but for the count without samples', () => {
    const summary = summarize([]);
    expect(summary.count).toBe(0);
    for (const value of [
      summary.p50,
      summary.p95,
      summary.p99,
      summary.max,
      summary.mean,
    ])
      expect(value).toBeNaN();
  });
});

describe('median', () => {
  it('is one of the values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2);
  });
});
