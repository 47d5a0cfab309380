// @one-pass: PostgreSQL + Redis servers of its own; the PostgreSQL + Redis pass would run it again unchanged.
/**
 * Shutdown after a socket burst (shutdown.process.test.ts) with PostgreSQL + Redis: the
 * store is a pool and the bus a connection pair to close, after the sockets' frames drained.
 * Skipped with a message when the services are absent (a failure with PARLEY_REQUIRE_SERVICES=1).
 */
import { describe, it } from 'node:test';
import { tempDir } from './helpers.js';
import { createTestSchema, postgresService, redisService } from './services.js';
import { rounds, summary } from './shutdown-rounds.js';

// Probed before the first describe (services.ts: Node 20 runs its root hook too early otherwise).
const services = await Promise.all([postgresService(), redisService()]);
const skip = services.find((s) => s.skip)?.skip ?? false;

/**
 * Half the SQLite file's rounds by default: a round here takes about twice as long (a pool and
 * a bus to open and close, sends that take longer to drain), and the test runner gives a file
 * 120 s. SHUTDOWN_ROUNDS sets both files' count (20 here took ~135 s at load average 17).
 */
const ROUNDS = Number(process.env.SHUTDOWN_ROUNDS ?? 10);

describe('shutdown after a socket burst (PostgreSQL + Redis)', { skip }, () => {
  it(`exits 0 within the grace period, ${ROUNDS} rounds`, async (t) => {
    const env = async (lane: number) => ({
      DATA_DIR: tempDir(),
      DATABASE_URL: (await createTestSchema()).url,
      REDIS_URL: services[1]!.url,
      REDIS_PREFIX: `parley-shutdown-${process.pid}-${lane}:`,
    });
    t.diagnostic(summary(await rounds(ROUNDS, env)));
  });
});
