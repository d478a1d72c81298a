import { ItemExponentialFailureRateLimiter } from './rateLimiter';

describe('ItemExponentialFailureRateLimiter', () => {
  it('doubles the delay with each failure of a key, up to the cap', () => {
    const limiter = new ItemExponentialFailureRateLimiter(5, 100);
    expect([1, 2, 3, 4, 5, 6].map(() => limiter.when('a'))).toEqual([
      5, 10, 20, 40, 80, 100,
    ]);
    expect(limiter.numRequeues('a')).toBe(6);
  });

  it('counts each key apart, and starts again once a key is forgotten', () => {
    const limiter = new ItemExponentialFailureRateLimiter(1, 1000);
    limiter.when('a');
    limiter.when('a');
    expect(limiter.when('b')).toBe(1);
    limiter.forget('a');
    expect(limiter.numRequeues('a')).toBe(0);
    expect(limiter.when('a')).toBe(1);
    expect(limiter.numRequeues('b')).toBe(1);
  });

  it('refuses delays that make no sense', () => {
    expect(() => new ItemExponentialFailureRateLimiter(0, 10)).toThrow(
      /0 < baseDelayMs <= maxDelayMs/,
    );
    expect(() => new ItemExponentialFailureRateLimiter(10, 5)).toThrow(
      /got 10 and 5/,
    );
  });
});
