/** HTTP scenarios: GET /users/me against bare node:http, and its p99 while logins hash. */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startBaseline } from '../lib/baseline.js';
import { cpuOf } from '../lib/cpu.js';
import { call } from '../lib/server.js';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** CPU time (user + system) the server process spent per request, in µs, when its pid was given. */
  cpuUs?: number;
}

/**
 * Runs autocannon for `seconds`. With `pid`, also reads that server's CPU time around the
 * run: unlike requests per second, CPU per request hardly moves with what else the shared
 * machine runs, so it tells what a change saved even on a noisy run.
 */
export async function load(url: string, headers: Record<string, string>, seconds: number, connections = 50, pid?: number): Promise<LoadResult> {
  const before = pid === undefined ? 0 : cpuOf(pid);
  const r = await autocannon({ url, headers, connections, duration: seconds });
  const result: LoadResult = { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx };
  if (pid !== undefined && r.requests.total > 0) result.cpuUs = (cpuOf(pid) - before) / r.requests.total;
  return result;
}

/** Alternating rounds of GET /users/me on Parley and on a bare server answering the same body. */
export async function usersMeVersusBare(parleyUrl: string, parleyPid: number, token: string, rounds: number, seconds: number) {
  const headers = { authorization: `Bearer ${token}` };
  const body = JSON.stringify(await call(`${parleyUrl}/users/me`, { token }));
  const file = path.join(tmpdir(), `parley-bench-me-${process.pid}.json`);
  writeFileSync(file, body);
  const bare = await startBaseline('http-json.mjs', [file]);
  const rows: Array<{ round: number; parley: LoadResult; bare: LoadResult }> = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const parley = await load(`${parleyUrl}/users/me`, headers, seconds, 50, parleyPid);
      const baseline = await load(`http://127.0.0.1:${bare.port}/`, {}, seconds, 50, bare.pid);
      rows.push({ round, parley, bare: baseline });
      console.log(
        `users/me round ${round}: parley ${parley.rps.toFixed(0)} req/s (${parley.cpuUs?.toFixed(1)} µs CPU), bare ${baseline.rps.toFixed(0)} req/s (${baseline.cpuUs?.toFixed(1)} µs CPU)`,
      );
    }
  } finally {
    await bare.stop();
  }
  return rows;
}

/**
 * GET /users/me p99 alone, then while 8 clients log in (argon2id at full cost) in a loop.
 * Each login client is its own account on its own device id, as phones logging in again
 * are: the caller of /users/me is not among them, so its answer stays the same size (a
 * login without a device id opens one more session, and its owner's /users/me lists it).
 */
export async function usersMeUnderLogins(parleyUrl: string, token: string, seconds: number) {
  const headers = { authorization: `Bearer ${token}` };
  const clients = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const username = `bench_login_${i}`;
      const password = `login password ${i}`;
      await call(`${parleyUrl}/users`, { body: { name: `Login ${i}`, username, password } });
      return { basic: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`, device: JSON.stringify({ deviceInfo: { id: randomUUID() } }) };
    }),
  );
  const idle = await load(`${parleyUrl}/users/me`, headers, seconds, 10);
  let stop = false;
  let logins = 0;
  const loginLoops = clients.map(async ({ basic, device }) => {
    while (!stop) {
      const res = await fetch(`${parleyUrl}/users/login`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/json' },
        body: device,
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`login answered ${res.status}`);
      logins++;
    }
  });
  const busy = await load(`${parleyUrl}/users/me`, headers, seconds, 10);
  stop = true;
  await Promise.all(loginLoops);
  return { idle, busy, loginsPerSecond: logins / seconds };
}
