/** HTTP scenarios: GET /users/me against bare node:http, and its p99 while logins hash. */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startBaseline } from '../lib/baseline.js';
import { call } from '../lib/server.js';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

export async function load(url: string, headers: Record<string, string>, seconds: number, connections = 50): Promise<LoadResult> {
  const r = await autocannon({ url, headers, connections, duration: seconds });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx };
}

/** Alternating rounds of GET /users/me on Parley and on a bare server answering the same body. */
export async function usersMeVersusBare(parleyUrl: string, token: string, rounds: number, seconds: number) {
  const headers = { authorization: `Bearer ${token}` };
  const body = JSON.stringify(await call(`${parleyUrl}/users/me`, { token }));
  const file = path.join(tmpdir(), `parley-bench-me-${process.pid}.json`);
  writeFileSync(file, body);
  const bare = await startBaseline('http-json.mjs', [file]);
  const rows: Array<{ round: number; parley: LoadResult; bare: LoadResult }> = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const parley = await load(`${parleyUrl}/users/me`, headers, seconds);
      const baseline = await load(`http://127.0.0.1:${bare.port}/`, {}, seconds);
      rows.push({ round, parley, bare: baseline });
      console.log(`users/me round ${round}: parley ${parley.rps.toFixed(0)} req/s, bare ${baseline.rps.toFixed(0)} req/s`);
    }
  } finally {
    await bare.stop();
  }
  return rows;
}

/** GET /users/me p99 alone, then while 8 clients log in (argon2id at full cost) in a loop. */
export async function usersMeUnderLogins(parleyUrl: string, token: string, username: string, password: string, seconds: number) {
  const headers = { authorization: `Bearer ${token}` };
  const idle = await load(`${parleyUrl}/users/me`, headers, seconds, 10);
  let stop = false;
  let logins = 0;
  const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const loginLoops = Array.from({ length: 8 }, async () => {
    while (!stop) {
      const res = await fetch(`${parleyUrl}/users/login`, { method: 'POST', headers: { authorization: basic } });
      await res.arrayBuffer();
      logins++;
    }
  });
  const busy = await load(`${parleyUrl}/users/me`, headers, seconds, 10);
  stop = true;
  await Promise.all(loginLoops);
  return { idle, busy, loginsPerSecond: logins / seconds };
}
