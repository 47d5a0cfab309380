// @one-pass: runs every adapter itself; the PostgreSQL + Redis pass would run it again unchanged.
import path from 'node:path';
import { createPostgresRateLimiter } from '../../src/adapters/limits/postgres.js';
import { createSqliteRateLimiter } from '../../src/adapters/limits/sqlite.js';
import { openPostgresStore } from '../../src/adapters/store/postgres.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { tempDir } from '../helpers.js';
import { createTestSchema, postgresService } from '../services.js';
import { rateLimiterContract } from './rate-limiter.contract.js';

const postgres = await postgresService();

rateLimiterContract('SQLite', async () => {
  const file = path.join(tempDir(), 'parley.db');
  const one = await openSqliteStore(file);
  const two = await openSqliteStore(file);
  return {
    limiter: createSqliteRateLimiter(one.connection),
    peer: createSqliteRateLimiter(two.connection),
    close: async () => {
      await one.store.close();
      await two.store.close();
    },
  };
});

rateLimiterContract(
  'PostgreSQL',
  async () => {
    const schema = await createTestSchema();
    const one = await openPostgresStore(schema.url, { poolSize: 3 });
    const two = await openPostgresStore(schema.url, { poolSize: 3 });
    return {
      limiter: createPostgresRateLimiter(one.pool),
      peer: createPostgresRateLimiter(two.pool),
      close: async () => {
        await one.store.close();
        await two.store.close();
        await schema.drop();
      },
    };
  },
  { skip: postgres.skip },
);
