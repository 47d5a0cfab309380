/**
 * Fixed-window counters for rate limits (failed logins, sign-ups, resets). Kept in the
 * store, so limits survive a restart and, on a shared store, hold across nodes. The core
 * decides what a count means; adapters only count.
 */
import type { Limit } from '../config.js';

export interface LimitState {
  /** Events counted for the key in the current window. */
  count: number;
  /** Seconds until the current window ends (0 when nothing is counted). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts one event for `key` in `bucket`; the state includes this event. */
  hit(bucket: string, key: string, limit: Limit): Promise<LimitState>;
  /** The state of `key` without counting anything. */
  peek(bucket: string, key: string, limit: Limit): Promise<LimitState>;
  /** Forgets what was counted for `key`. */
  reset(bucket: string, key: string, limit: Limit): Promise<void>;
}
