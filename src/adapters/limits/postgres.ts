import type pg from 'pg';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { RateLimiter } from '../../ports/rate-limiter.js';
import { createFlexibleRateLimiter } from './flexible.js';

/**
 * Rate-limit counters in PostgreSQL (table `rate_limits` on the pool's search_path), shared
 * by every node on the database, so a limit holds across nodes. The library creates the
 * table (`CREATE TABLE IF NOT EXISTS`); the first limiter does so and later ones wait for it,
 * rather than each bucket racing to create it.
 */
/**
 * Another node (or limiter) created the table at the same moment: `CREATE TABLE IF NOT
 * EXISTS` is not safe against itself, and the loser may get "type … already exists" (42710)
 * or "relation … already exists" (42P07), where the library only expects 23505. The table
 * exists either way.
 */
const madeByAnother = (error: unknown) => ['42710', '42P07'].includes((error as { code?: string } | null)?.code ?? '');

export function createPostgresRateLimiter(pool: pg.Pool): RateLimiter {
  let tableReady: Promise<void> | undefined;
  const open = async (options: { keyPrefix: string; points: number; duration: number }, tableCreated: boolean) => {
    let settle!: (error?: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    // The library calls back once its table exists (at once when `tableCreated`).
    const limiter = new RateLimiterPostgres(
      { ...options, storeClient: pool, storeType: 'pool', tableName: 'rate_limits', tableCreated, clearExpiredByTimeout: true },
      (error?: unknown) => settle(error),
    );
    await ready;
    return limiter;
  };
  return createFlexibleRateLimiter(async (options) => {
    if (!tableReady) {
      const first = open(options, false).catch((error: unknown) => {
        if (madeByAnother(error)) return open(options, true);
        throw error;
      });
      tableReady = first.then(
        () => undefined,
        (error: unknown) => {
          tableReady = undefined; // let a later call try again
          throw error;
        },
      );
      tableReady.catch(() => {}); // the caller of `first` hears of the failure
      return first;
    }
    await tableReady;
    return open(options, true);
  });
}
