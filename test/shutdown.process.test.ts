// @one-pass: SQLite servers of its own; the PostgreSQL + Redis pass would run it again unchanged.
/**
 * Shutdown after a socket burst, on the real server process (issue 27), on SQLite: a rooms
 * writer sends 1,000 frames at once and a native socket 300 `send` actions at once, then
 * SIGTERM; the process must exit 0 within the grace period (10 s), round after round.
 * Variants: 200 room readers and one reader that never reads; the server's stdout a pipe
 * nobody reads (on the old code the burst's error lines filled it and the process hung).
 * PostgreSQL + Redis: shutdown.services.test.ts; logs, acks and the bundle: shutdown.logs.test.ts.
 */
import { describe, it } from 'node:test';
import { tempDir } from './helpers.js';
import { ROUNDS, rounds, summary } from './shutdown-rounds.js';

describe('shutdown after a socket burst (SQLite)', () => {
  it(`exits 0 within the grace period, ${ROUNDS} rounds (burst; stdout a pipe nobody reads; 200 readers and a slow reader)`, async (t) => {
    // Three lanes: a round's waits (start-up, the silent reader's 2 s) overlap the others' work,
    // so that 20 rounds stay under the runner's 120 s per file on a loaded machine.
    t.diagnostic(summary(await rounds(ROUNDS, async () => ({ DATA_DIR: tempDir() }), { lanes: 3 })));
  });
});
