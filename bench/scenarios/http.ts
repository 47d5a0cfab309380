/** HTTP scenarios: GET /users/me against bare node:http, and its p99 while logins hash. */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
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

/**
 * Alternating rounds of GET /users/me on Parley, on an empty Fastify route answering the same
 * body (bench/baselines/fastify-json.mjs: the framework's floor) and on a bare node:http
 * server answering it (the limit). Each server runs in its own process.
 */
export async function usersMeVersusBare(parleyUrl: string, parleyPid: number, token: string, rounds: number, seconds: number) {
  const headers = { authorization: `Bearer ${token}` };
  const body = JSON.stringify(await call(`${parleyUrl}/users/me`, { token }));
  const file = path.join(tmpdir(), `parley-bench-me-${process.pid}.json`);
  writeFileSync(file, body);
  const bare = await startBaseline('http-json.mjs', [file]);
  const fastify = await startBaseline('fastify-json.mjs', [file]);
  const rows: Array<{ round: number; parley: LoadResult; fastify: LoadResult; bare: LoadResult; load: number }> = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const parley = await load(`${parleyUrl}/users/me`, headers, seconds, 50, parleyPid);
      const framework = await load(`http://127.0.0.1:${fastify.port}/users/me`, headers, seconds, 50, fastify.pid);
      const baseline = await load(`http://127.0.0.1:${bare.port}/`, {}, seconds, 50, bare.pid);
      rows.push({ round, parley, fastify: framework, bare: baseline, load: loadavg()[0]! });
      console.log(
        `users/me round ${round}: parley ${parley.rps.toFixed(0)} req/s (${parley.cpuUs?.toFixed(1)} µs CPU), empty Fastify ${framework.rps.toFixed(0)} req/s (${framework.cpuUs?.toFixed(1)} µs CPU), bare ${baseline.rps.toFixed(0)} req/s (${baseline.cpuUs?.toFixed(1)} µs CPU), load average ${loadavg()[0]!.toFixed(1)}`,
      );
    }
  } finally {
    await Promise.all([bare.stop(), fastify.stop()]);
  }
  return rows;
}

type UsersMeRound = Awaited<ReturnType<typeof usersMeVersusBare>>[number];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The results section of `usersMeVersusBare`'s rounds: a table, the medians and the ratios. */
export function usersMeSection(label: string, rounds: UsersMeRound[], seconds: number): string[] {
  const p = median(rounds.map((r) => r.parley.rps));
  const f = median(rounds.map((r) => r.fastify.rps));
  const b = median(rounds.map((r) => r.bare.rps));
  const cpu = (pick: (r: UsersMeRound) => LoadResult) => median(rounds.map((r) => pick(r).cpuUs ?? 0));
  const [pCpu, fCpu, bCpu] = [cpu((r) => r.parley), cpu((r) => r.fastify), cpu((r) => r.bare)];
  return [
    `### GET /users/me (${label}), 50 connections, ${seconds} s rounds`,
    '',
    '| round | Parley req/s | p99 ms | CPU µs/req | empty Fastify req/s | CPU µs/req | bare node:http req/s | p99 ms | CPU µs/req | load average |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rounds.map(
      (r) =>
        `| ${r.round} | ${fmt(r.parley.rps)} | ${r.parley.p99} | ${fmt(r.parley.cpuUs ?? 0, 1)} | ${fmt(r.fastify.rps)} | ${fmt(r.fastify.cpuUs ?? 0, 1)} | ${fmt(r.bare.rps)} | ${r.bare.p99} | ${fmt(r.bare.cpuUs ?? 0, 1)} | ${r.load.toFixed(1)} |`,
    ),
    '',
    `Median: Parley **${fmt(p)} req/s**, empty Fastify ${fmt(f)} req/s, bare ${fmt(b)} req/s: Parley **${(p / b).toFixed(2)} ×** bare (empty Fastify ${(f / b).toFixed(2)} ×). ` +
      `Server CPU per request (user + system, from /proc): Parley ${fmt(pCpu, 1)} µs, empty Fastify ${fmt(fCpu, 1)} µs, bare ${fmt(bCpu, 1)} µs (bare / Parley ${(bCpu / pCpu).toFixed(2)} ×, bare / empty Fastify ${(bCpu / fCpu).toFixed(2)} ×): ` +
      `Fastify's own share ${fmt(fCpu - bCpu, 1)} µs, Parley's above it ${fmt(pCpu - fCpu, 1)} µs.`,
    '',
  ];
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
