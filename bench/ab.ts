/**
 * An A/B of two checkouts on the same machine, in alternating rounds: GET /users/me (CPU µs
 * per request and req/s, 50 connections) on the embedded default. CPU per request is the
 * figure to read on a shared machine: it hardly moves with what else runs.
 *
 *   npx tsx bench/ab.ts <checkout A> <checkout B> [rounds=5] [seconds=5]
 *
 * Each checkout must be built (`npm run build`, for dist/server.js).
 *
 * `AB_TOGETHER=1` loads both servers at the same time in each round instead of one after the
 * other, so that both see the very same machine (on a busy shared machine the load swings
 * between rounds), and reports the median of the rounds' B/A ratios too. On a saturated
 * machine the second server came out ahead whatever it ran (B/A 0.77 one way round, A/B 0.73
 * the other, at load average 16–20): run it both ways round and read the two together.
 */
import { randomUUID } from 'node:crypto';
import { load } from './scenarios/http.js';
import { call, startParley, type BenchServer } from './lib/server.js';

const [dirA, dirB, roundsArg, secondsArg] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error('usage: npx tsx bench/ab.ts <checkout A> <checkout B> [rounds] [seconds]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 5);
const seconds = Number(secondsArg ?? 5);

async function tokenOn(server: BenchServer): Promise<string> {
  const username = `ab_${randomUUID().slice(0, 8)}`;
  const password = 'correct horse battery';
  await call(`${server.url}/users`, { body: { name: 'A B', username, password } });
  const res = await fetch(`${server.url}/users/login`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
  });
  const body = (await res.json()) as { accessToken?: string; token?: string; info?: { accessToken?: string } };
  const token = body.accessToken ?? body.token ?? body.info?.accessToken;
  if (!token) throw new Error(`login gave no token: ${JSON.stringify(body).slice(0, 200)}`);
  return token;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const servers = { A: await startParley({}, dirA), B: await startParley({}, dirB) };
try {
  const tokens = { A: await tokenOn(servers.A), B: await tokenOn(servers.B) };
  const cpu: Record<'A' | 'B', number[]> = { A: [], B: [] };
  const rps: Record<'A' | 'B', number[]> = { A: [], B: [] };
  const together = process.env.AB_TOGETHER === '1';
  const ratios: number[] = [];
  for (let round = 1; round <= rounds && together; round++) {
    const [ra, rb] = await Promise.all(
      (['A', 'B'] as const).map((side) => load(`${servers[side].url}/users/me`, { authorization: `Bearer ${tokens[side]}` }, seconds, 50, servers[side].pid)),
    );
    for (const [side, r] of [['A', ra!] as const, ['B', rb!] as const]) {
      if (r.non2xx > 0) throw new Error(`${side}: ${r.non2xx} answers were not 2xx`);
      cpu[side].push(r.cpuUs ?? Number.NaN);
      rps[side].push(r.rps);
    }
    ratios.push((rb!.cpuUs ?? Number.NaN) / (ra!.cpuUs ?? Number.NaN));
    console.log(
      `round ${round}: A ${ra!.cpuUs?.toFixed(1)} µs CPU/req (${ra!.rps.toFixed(0)} req/s), B ${rb!.cpuUs?.toFixed(1)} µs (${rb!.rps.toFixed(0)} req/s), B/A ${ratios.at(-1)!.toFixed(3)}`,
    );
  }
  for (let round = 1; round <= rounds && !together; round++) {
    // Alternate which goes first, so that a drift of the machine's load falls on both.
    for (const side of round % 2 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
      const r = await load(`${servers[side].url}/users/me`, { authorization: `Bearer ${tokens[side]}` }, seconds, 50, servers[side].pid);
      if (r.non2xx > 0) throw new Error(`${side}: ${r.non2xx} answers were not 2xx`);
      cpu[side].push(r.cpuUs ?? Number.NaN);
      rps[side].push(r.rps);
      console.log(`round ${round} ${side}: ${r.rps.toFixed(0)} req/s, ${r.cpuUs?.toFixed(1)} µs CPU/req, p99 ${r.p99} ms`);
    }
  }
  const a = median(cpu.A);
  const b = median(cpu.B);
  console.log(`\nGET /users/me, medians of ${rounds} rounds of ${seconds} s:`);
  console.log(`A ${dirA}: ${a.toFixed(1)} µs CPU/req, ${median(rps.A).toFixed(0)} req/s`);
  console.log(`B ${dirB}: ${b.toFixed(1)} µs CPU/req, ${median(rps.B).toFixed(0)} req/s`);
  console.log(`B/A CPU per request: ${(b / a).toFixed(3)} ×`);
  if (together) console.log(`median of the rounds' B/A: ${median(ratios).toFixed(3)} ×`);
} finally {
  await Promise.all([servers.A.stop(), servers.B.stop()]);
}
