import type SqliteDatabase from 'better-sqlite3';
import { RateLimiterSQLite } from 'rate-limiter-flexible';
import type { RateLimiter } from '../../ports/rate-limiter.js';
import { createFlexibleRateLimiter } from './flexible.js';

/** Rate-limit counters in the embedded SQLite file (table `rate_limits`), kept across restarts. */
export function createSqliteRateLimiter(connection: SqliteDatabase.Database): RateLimiter {
  return createFlexibleRateLimiter(
    (options) =>
      new Promise((resolve, reject) => {
        const limiter: RateLimiterSQLite = new RateLimiterSQLite(
          { ...options, storeClient: connection, storeType: 'better-sqlite3', tableName: 'rate_limits', clearExpiredByTimeout: true },
          (error?: unknown) => (error ? reject(error) : resolve(limiter)),
        );
      }),
  );
}
