/**
 * The rate-limiter port over rate-limiter-flexible, which keeps fixed-window counters in
 * the store's own engine. One library limiter per (bucket, limit), made on first use;
 * `makeLimiter` chooses the engine (SQLite here, PostgreSQL or Redis for scale-out).
 */
import { createHash } from 'node:crypto';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Limit } from '../../config.js';
import type { LimitState, RateLimiter } from '../../ports/rate-limiter.js';

export type LimiterFactory = (options: { keyPrefix: string; points: number; duration: number }) => Promise<RateLimiterAbstract>;

const isLimiterRes = (value: unknown): value is RateLimiterRes =>
  typeof value === 'object' && value !== null && 'msBeforeNext' in value && 'consumedPoints' in value;

const toState = (res: RateLimiterRes | null): LimitState =>
  res === null ? { count: 0, retryAfterSeconds: 0 } : { count: res.consumedPoints, retryAfterSeconds: Math.ceil(res.msBeforeNext / 1000) };

/**
 * Keys come from clients (a Basic user name may be any length) and PostgreSQL keeps them in
 * a varchar(255) with the prefix, so a long key is stored as its SHA-256 instead.
 */
const MAX_KEY_LENGTH = 100;
const storedKey = (key: string) => (key.length <= MAX_KEY_LENGTH ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`);

/** The port over rate-limiter-flexible; `makeLimiter` resolves once its storage is ready. */
export function createFlexibleRateLimiter(makeLimiter: LimiterFactory): RateLimiter {
  const limiters = new Map<string, Promise<RateLimiterAbstract>>();
  const limiterFor = (bucket: string, limit: Limit) => {
    const id = `${bucket}:${limit.points}:${limit.durationSeconds}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      // The window length is part of the prefix, so changing a limit starts fresh counters.
      limiter = makeLimiter({ keyPrefix: `${bucket}_${limit.durationSeconds}`, points: limit.points, duration: limit.durationSeconds });
      limiters.set(id, limiter);
      limiter.catch(() => limiters.delete(id));
    }
    return limiter;
  };
  return {
    async hit(bucket, key, limit) {
      const limiter = await limiterFor(bucket, limit);
      try {
        return toState(await limiter.consume(storedKey(key), 1));
      } catch (rejection) {
        // The library rejects with a RateLimiterRes once the points are used up.
        if (isLimiterRes(rejection)) return toState(rejection);
        throw rejection;
      }
    },
    async peek(bucket, key, limit) {
      const limiter = await limiterFor(bucket, limit);
      return toState(await limiter.get(storedKey(key)));
    },
    async reset(bucket, key, limit) {
      const limiter = await limiterFor(bucket, limit);
      await limiter.delete(storedKey(key));
    },
  };
}
