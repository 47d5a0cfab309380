/**
 * Rounds of "burst, then SIGTERM" against the real server process, for the shutdown tests
 * (issue 27): each round starts a server, puts a socket burst in flight (shutdown-helpers.ts),
 * sends SIGTERM once the server is busy with it, and requires exit 0 within the grace period
 * with every client socket closed, no frame failed against a closed store (no `internal` ack,
 * no error line logged) and the `shut down` line written.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BUILT, FROM_SOURCE } from './server-process.js';
import {
  burstUsers,
  endBurst,
  startBurst,
  startShutdownServer,
  stopWithin,
  type Burst,
  type BurstOptions,
  type BurstUsers,
  type ShutdownServer,
} from './shutdown-helpers.js';

/** The server's grace period: past it, shutdown exits 1. */
export const GRACE_MS = 10_000;
/** Rounds per suite (SHUTDOWN_ROUNDS to change). */
export const ROUNDS = Number(process.env.SHUTDOWN_ROUNDS ?? 20);

const BUNDLE = BUILT[0]!;
/** Whether `npm run build` made the bundle. */
export const bundled = existsSync(BUNDLE) && readFileSync(BUNDLE, 'utf8').includes('__parleyCreateRequire');
const newest = (dir: string): number =>
  Math.max(
    ...readdirSync(dir).map((name) => {
      const file = path.join(dir, name);
      const stat = statSync(file);
      return stat.isDirectory() ? newest(file) : stat.mtimeMs;
    }),
  );
/**
 * The rounds run the bundle when it is newer than every source file (it starts in half the
 * time of tsx, which matters on a loaded machine), else the sources.
 */
export const ROUND_ENTRY = bundled && statSync(BUNDLE).mtimeMs > newest('src') ? BUILT : FROM_SOURCE;

export interface Variant {
  name: string;
  burst: BurstOptions;
  unreadStdout: boolean;
}

const PLAIN: Variant = { name: 'burst', burst: {}, unreadStdout: false };
const READERS: Variant = { name: '200 readers and a slow reader', burst: { readers: 200, slowReader: true }, unreadStdout: false };
const UNREAD: Variant = { name: 'stdout a pipe nobody reads', burst: {}, unreadStdout: true };
/** The rounds cycle through these; the readers variant, the slowest (~2x), once in five. */
export const VARIANTS: Variant[] = [PLAIN, UNREAD, READERS, PLAIN, UNREAD];

export interface RoundResult {
  variant: string;
  /** `the bundle` or `the sources`. */
  from: string;
  ms: number;
  /** Acks the native socket got, by outcome. */
  acks: Record<string, number>;
}

/** Native acks by outcome (`ok`, or the error code) seen on the burst's native socket. */
function countAcks(socketAcks: Array<{ ok: boolean; error?: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const ack of socketAcks) {
    const key = ack.ok ? 'ok' : (ack.error ?? 'error');
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** How long the server says its shutdown took (its `shut down` line), when its log was read. */
const took = (log: string) => {
  const ms = /"ms":(\d+),"droppedLogLines":\d+,"msg":"shut down"/.exec(log)?.[1];
  return ms === undefined ? undefined : Number(ms);
};

/** One round: start, burst, SIGTERM once the server is busy with it, and check the exit. */
export async function shutdownRound(
  env: Record<string, string>,
  variant: Variant,
  users: (server: ShutdownServer) => Promise<BurstUsers>,
  entry = ROUND_ENTRY,
): Promise<RoundResult> {
  const server = await startShutdownServer(env, { unreadStdout: variant.unreadStdout, entry });
  let burst: Burst | undefined;
  try {
    burst = await startBurst(server, await users(server), variant.burst);
    const native = burst.sockets.at(-1)!;
    const acks: Array<{ ok: boolean; error?: string }> = [];
    native.ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { event: string; payload: { ok: boolean; error?: string } };
      if (frame.event === 'ack') acks.push(frame.payload);
    });
    await burst.started;
    const signalled = Date.now();
    const exit = await stopWithin(server, GRACE_MS + 5000);
    const ms = Date.now() - signalled;
    const log = server.output();
    // Exit 0 is the server's own word that it finished within the grace period (past it, it
    // exits 1; at grace + 2 s its watchdog SIGKILLs it; stopWithin reports a hang at grace +
    // 5 s). The time seen here also holds this process's own lag on a loaded machine (it
    // reads 200 sockets' frames), so the time checked below is the server's.
    assert.deepEqual(exit, { code: 0, signal: null }, `${variant.name}: exit ${JSON.stringify(exit)} after ${ms} ms\n${log.slice(-3000)}`);
    // Every client socket was closed (1001, or earlier by the server for its own reasons); the
    // slow reader learns it once it reads again.
    for (const socket of burst.sockets) socket.ws.resume();
    for (const socket of burst.sockets) await socket.closed;
    // No frame ran against a closed store: no internal failures, acked or logged.
    assert.equal(countAcks(acks).internal, undefined, `internal acks: ${JSON.stringify(countAcks(acks))}`);
    if (!variant.unreadStdout) {
      assert.ok((took(log) ?? Number.POSITIVE_INFINITY) < GRACE_MS, `${variant.name}: the server says it took ${took(log)} ms\n${log.slice(-3000)}`);
      const errors = log.split('\n').filter((line) => /"level":(50|60)/.test(line));
      assert.equal(errors.length, 0, `${variant.name}: ${errors.length} error lines logged, the first: ${errors[0]?.slice(0, 400)}`);
    }
    return { variant: variant.name, from: entry === BUILT ? 'the bundle' : 'the sources', ms: took(log) ?? ms, acks: countAcks(acks) };
  } finally {
    endBurst(burst);
    server.child.kill('SIGKILL');
  }
}

/** Users made on the first round's server and reused (same data) by the rounds after it. */
function sharedUsers(): (server: ShutdownServer) => Promise<BurstUsers> {
  let made: BurstUsers | undefined;
  return async (server) => (made ??= await burstUsers(server.url));
}

/**
 * Runs `count` rounds over the variants, in `lanes` sequences side by side (each lane its own
 * data and users: `env(lane)`), so that one lane's waits (start-up, a peer's close) overlap
 * another's work; every round must pass. Returns each round's result.
 */
export async function rounds(
  count: number,
  env: (lane: number) => Promise<Record<string, string>>,
  options: { lanes?: number; entry?: string[] } = {},
): Promise<RoundResult[]> {
  const { lanes = 2, entry = ROUND_ENTRY } = options;
  const results: RoundResult[] = [];
  let failed = false;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      const users = sharedUsers();
      const laneEnv = await env(lane);
      // A failure in one lane stops the others: the first failure is the report.
      for (let round = lane; round < count && !failed; round += lanes) {
        try {
          results.push(await shutdownRound(laneEnv, VARIANTS[round % VARIANTS.length]!, users, entry));
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
  return results;
}

/** One line for the test's diagnostics: how many rounds, and how long their shutdowns took. */
export const summary = (results: RoundResult[]) => {
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  return `${results.length} rounds from ${results[0]?.from}, shutdown ${ms[0]}–${ms.at(-1)} ms (median ${ms[Math.floor(ms.length / 2)]}; the server's own figure where its log was read)`;
};
