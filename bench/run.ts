/**
 * `npm run bench`: every benchmark in one run, Parley and each baseline in its own process on
 * 127.0.0.1, rounds alternating between them so drift on a shared machine hits both. Prints
 * the figures and writes bench/results.md with each target and its measured value.
 *
 *   npm run bench              (about 4 minutes)
 *   BENCH_QUICK=1 npm run bench  (shorter rounds, for a smoke run)
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { mib } from './lib/rss.js';
import { startBaseline } from './lib/baseline.js';
import { call, machine, startParley } from './lib/server.js';
import { coldStarts } from './scenarios/cold-start.js';
import { usersMeSection, usersMeUnderLogins, usersMeVersusBare } from './scenarios/http.js';
import { messagesPerSecond } from './scenarios/messages.js';
import { fanOut, idleMemory, READERS, sessionTokens } from './scenarios/realtime.js';

const quick = process.env.BENCH_QUICK === '1';
const SECONDS = quick ? 3 : 8;
const ROUNDS = 3;
const FANOUT_MESSAGES = quick ? 500 : 2000;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const lines: string[] = [];
const targets: Array<[string, string, boolean | undefined]> = [];

/** A fresh schema on the local PostgreSQL, or undefined when it is not reachable. */
async function postgresUrl(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
  } catch {
    return undefined;
  }
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  await client.query(`create schema ${schema}`);
  await client.end();
  const url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    url,
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

async function httpScenarios(label: string, env: Record<string, string>) {
  const parley = await startParley({ ...env });
  try {
    const user = await call(`${parley.url}/users`, { body: { name: 'Me', username: 'bench_me', password: 'bench password' } });
    const rounds = await usersMeVersusBare(parley.url, parley.pid, user.token, ROUNDS, SECONDS);
    lines.push(...usersMeSection(label, rounds, SECONDS));
    const p = median(rounds.map((r) => r.parley.rps));
    const b = median(rounds.map((r) => r.bare.rps));
    // The targets are on the embedded default; PostgreSQL's figures are for information.
    targets.push([`GET /users/me ≥ 0.6 × bare node:http (${label})`, `${(p / b).toFixed(2)} ×`, label === 'SQLite' ? p / b >= 0.6 : undefined]);

    const m = await messagesPerSecond(parley.url, SECONDS);
    lines.push(
      `### POST /chats/<id>/messages (${label}), 50 concurrent senders, ${SECONDS} s`,
      '',
      `**${fmt(m.perSecond)} messages persisted/s** (${m.stored} stored), p50 ${m.p50} ms, p99 ${m.p99} ms, non-2xx ${m.non2xx}.`,
      '',
    );
    targets.push([`≥ 5,000 persisted messages/s, 50 senders (${label})`, `${fmt(m.perSecond)}/s`, label === 'SQLite' ? m.perSecond >= 5000 : undefined]);
  } finally {
    await parley.stop();
  }
}

const started = Date.now();
// 1. HTTP on the embedded default, and on PostgreSQL when it is reachable.
await httpScenarios('SQLite', {});
const postgres = await postgresUrl();
if (postgres) {
  try {
    await httpScenarios('PostgreSQL', { DATABASE_URL: postgres.url });
  } finally {
    await postgres.drop();
  }
} else {
  lines.push('_PostgreSQL was not reachable: its HTTP scenarios were skipped._', '');
}

// 2. /users/me p99 while 8 logins hash with the real argon2id cost.
{
  const parley = await startParley({ ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2' });
  try {
    const user = await call(`${parley.url}/users`, { body: { name: 'Me', username: 'bench_me', password: 'bench password' } });
    const r = await usersMeUnderLogins(parley.url, user.token, SECONDS);
    lines.push(
      `### GET /users/me p99 while 8 other accounts log in (argon2id m=19 MiB, t=2), 10 connections`,
      '',
      '| | req/s | p50 ms | p99 ms |',
      '|---|---|---|---|',
      `| idle | ${fmt(r.idle.rps)} | ${r.idle.p50} | ${r.idle.p99} |`,
      `| 8 logins hashing | ${fmt(r.busy.rps)} | ${r.busy.p50} | ${r.busy.p99} |`,
      '',
      `${fmt(r.loginsPerSecond, 1)} logins/s meanwhile; p99 ratio **${(r.busy.p99 / Math.max(1, r.idle.p99)).toFixed(2)} ×** (idle p99 counted as at least 1 ms).`,
      '',
    );
    const ratio = r.busy.p99 / Math.max(1, r.idle.p99);
    targets.push(['/users/me p99 with 8 parallel logins ≤ 2 × idle p99', `${r.busy.p99} ms vs ${r.idle.p99} ms (${ratio.toFixed(2)} ×)`, ratio <= 2]);
  } finally {
    await parley.stop();
  }
}

// 3. Room fan-out against a bare ws server, and idle memory per socket.
{
  const parley = await startParley({ ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', WS_PING_INTERVAL_SECONDS: '3600' });
  const bare = await startBaseline('ws-broadcast.mjs');
  try {
    const writer = await call(`${parley.url}/users`, { body: { name: 'Writer', username: 'writer', password: 'bench password' } });
    const room = `${parley.url.replace('http', 'ws')}/api/v1/rooms/bench/messages/ws`;
    const rows: Array<{ parley: number; bare: number }> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const p = await fanOut(room, room, FANOUT_MESSAGES, [writer.token]);
      const b = await fanOut(`ws://127.0.0.1:${bare.port}`, `ws://127.0.0.1:${bare.port}`, FANOUT_MESSAGES);
      rows.push({ parley: p.messagesPerSecond, bare: b.messagesPerSecond });
      console.log(`fan-out round ${round}: parley ${p.messagesPerSecond.toFixed(0)} msg/s, bare ${b.messagesPerSecond.toFixed(0)} msg/s`);
    }
    const p = median(rows.map((r) => r.parley));
    const b = median(rows.map((r) => r.bare));
    lines.push(
      `### Room fan-out: 1 writer, ${READERS} readers, ${FANOUT_MESSAGES} messages a round (Parley persists each)`,
      '',
      '| round | Parley msg/s | bare ws msg/s |',
      '|---|---|---|',
    );
    for (const [i, r] of rows.entries()) lines.push(`| ${i + 1} | ${fmt(r.parley)} | ${fmt(r.bare)} |`);
    lines.push('', `Median: Parley **${fmt(p)} msg/s** (${fmt(p * READERS)} deliveries/s), bare ${fmt(b)} msg/s: **${(p / b).toFixed(2)} ×**.`, '');
    targets.push(['Room fan-out ≥ 0.6 × bare ws', `${(p / b).toFixed(2)} ×`, p / b >= 0.6]);

    const tokens = await sessionTokens(parley.url, 100, 100);
    const wsUrl = parley.url.replace('http', 'ws');
    const m5 = await idleMemory(wsUrl, parley.pid, tokens, 5000);
    const m10 = await idleMemory(wsUrl, parley.pid, tokens, 10000);
    lines.push(
      '### Idle memory per socket (native, authenticated, one per device session)',
      '',
      '| sockets | RSS before | RSS after | per socket |',
      '|---|---|---|---|',
    );
    lines.push(
      `| 5,000 | ${mib(m5.before)} MiB | ${mib(m5.after)} MiB | **${fmt(m5.perSocket / 1024, 1)} KiB** |`,
      `| 10,000 | ${mib(m10.before)} MiB | ${mib(m10.after)} MiB | **${fmt(m10.perSocket / 1024, 1)} KiB** |`,
      '',
    );
    targets.push([
      '≤ 16 KB RSS per idle socket',
      `${fmt(m5.perSocket / 1024, 1)} KiB at 5k, ${fmt(m10.perSocket / 1024, 1)} KiB at 10k`,
      Math.max(m5.perSocket, m10.perSocket) <= 16 * 1024,
    ]);
  } finally {
    await parley.stop();
    await bare.stop();
  }
}

// 4. Cold start to /healthz.
{
  const built = (await import('node:fs')).existsSync('dist/server.js');
  const starts = await coldStarts(5);
  lines.push(
    `### Cold start to /healthz (${built ? 'built server, dist/server.js' : 'TypeScript through tsx'}), fresh DATA_DIR, 5 starts`,
    '',
    `${starts.map((s) => `${fmt(s)} ms`).join(', ')}; median **${fmt(median(starts))} ms**.`,
    '',
  );
  targets.push(['Cold start < 1 s', `${fmt(median(starts))} ms (median of 5)`, median(starts) < 1000]);
}

const md = [
  '# Parley benchmarks',
  '',
  `Run: ${new Date().toISOString()} on ${await machine()}, ${fmt((Date.now() - started) / 1000)} s in all.`,
  'Command: `npm run bench`. Every server (Parley, the bare node:http and ws baselines) runs in its own process on',
  '127.0.0.1 and the load client in another, all on the same 2 cores: absolute figures are lower than with a',
  'separate load machine, and the ratios against the baselines are the point. `RATE_LIMITS=off`.',
  '',
  '## Targets',
  '',
  '| target | measured | met |',
  '|---|---|---|',
  ...targets.map(([t, m, ok]) => `| ${t} | ${m} | ${ok === undefined ? 'for information (the target is on SQLite)' : ok ? 'yes' : '**no**'} |`),
  '',
  '## Figures',
  '',
  ...lines,
].join('\n');
writeFileSync('bench/results.md', md);
console.log(md);
