// The rate limiter's fixed window at its exact end: a window opened at t lasts [t, t + windowMs), so a request at
// t + windowMs opens a new one.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/serve/rate-limit.js';

describe('RateLimiter window', () => {
  it('a window opened at 5 ms with a 1000 ms length still counts at 1004 ms and is new at exactly 1005 ms', () => {
    let now = 5; // not 0: the first window is opened by the first request, whatever the clock then reads
    const limiter = new RateLimiter(1, 1000, () => now);
    expect(limiter.check('a')).toEqual({ allowed: true });
    // the second request in the window [5, 1005): refused, 1000 ms left → retry in 1 s
    expect(limiter.check('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 1004; // 1 ms left: ceil(1/1000) = 1 s
    expect(limiter.check('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 1005; // the window's end: a new window [1005, 2005) in which 'a' has its one request again
    expect(limiter.check('a')).toEqual({ allowed: true });
    expect(limiter.check('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 2004.5;
    expect(limiter.check('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 2005;
    expect(limiter.check('a')).toEqual({ allowed: true });
  });
});
