/**
 * `npm run bench:search`: message search on a large data set. N messages (default 1,000,000)
 * in 1,000 chats, written straight into the store in batches (the index triggers fire, as
 * for a send); 50 searchers, each a member of 60 chats, search concurrently with a mix of
 * rare words, common words, two-word queries, prefixes and phrases. Then sends per second
 * (bench/scenarios/messages.ts) with the index triggers in place against with them dropped,
 * alternating rounds. SQLite, then PostgreSQL when the local one answers. Writes
 * bench/results-search.md.
 *
 *   npm run bench:search                       (1,000,000 messages)
 *   BENCH_SEARCH_MESSAGES=100000 npm run bench:search
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { call, startParley } from './lib/server.js';
import { messagesPerSecond } from './scenarios/messages.js';
import { createPostgresSearchIndex } from '../src/adapters/search/postgres-search.js';
import { openSqliteSearchIndex } from '../src/adapters/search/sqlite-search.js';
import { parseQuery } from '../src/core/search-query.js';
import type { SearchIndex } from '../src/ports/search-index.js';

const MESSAGES = Number(process.env.BENCH_SEARCH_MESSAGES ?? 1_000_000);
const CHATS = 1000;
const SEARCHERS = 50;
const SECONDS = Number(process.env.BENCH_SEARCH_SECONDS ?? 10);
const SEND_SECONDS = Number(process.env.BENCH_SEND_SECONDS ?? 6);
const SEND_ROUNDS = 3;
const BATCH = 5000;
/** Cheap password hashing: the bench registers a few hundred users and measures none of it. */
const FAST_HASHING = { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' };

/** A deterministic pseudo-random source, so every run builds the same data set. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20);
const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
const syllables =
  'ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu za ze zi zo zu'.split(
    ' ',
  );
const word = (n: number) => Array.from({ length: n }, () => pick(syllables)).join('');
/** 10,000 rare words (each in ~0.1 % of messages) and 100 common ones (each in ~2 %). */
const rare = [...new Set(Array.from({ length: 12000 }, () => word(3 + Math.floor(random() * 2))))].slice(0, 10000);
const common = [...new Set(Array.from({ length: 200 }, () => word(2)))].slice(0, 100);
const textOf = () => [pick(common), ...Array.from({ length: 6 }, () => pick(rare)), pick(common)].join(' ');

/** The query mix: mostly rare words, then common words, pairs, prefixes and phrases. */
function query(): string {
  const r = random();
  if (r < 0.5) return pick(rare);
  if (r < 0.6) return pick(common);
  if (r < 0.75) return `${pick(common)} ${pick(rare)}`;
  if (r < 0.9) return `${pick(rare).slice(0, 4)}*`;
  return `"${pick(rare)} ${pick(rare)}" -${pick(common)}`;
}

interface Setup {
  searchers: Array<{ id: number; token: string }>;
  author: { id: number };
  chatIds: string[];
}

/** Users and chats over HTTP: chat i has the author and searchers i, i+7 and i+19 (mod 50). */
async function createUsersAndChats(url: string): Promise<Setup> {
  const register = (name: string) => call(`${url}/users`, { body: { name, username: name, password: 'bench password' } });
  const author = await register('author');
  const searchers: Setup['searchers'] = [];
  for (let i = 0; i < SEARCHERS; i++) searchers.push(await register(`searcher${i}`));
  const chatIds: string[] = [];
  for (let i = 0; i < CHATS; i++) {
    const participants = [...new Set([i, i + 7, i + 19].map((k) => searchers[k % SEARCHERS]!.id))];
    chatIds.push((await call(`${url}/chats`, { token: author.token, body: { title: `Chat ${i}`, participants, isPersonal: false } })).id);
  }
  return { searchers, author, chatIds };
}

/** Rows for messages [from, to): round-robin over the chats, a second apart, oldest first. */
function* rows(setup: Setup, start: number) {
  for (let from = 0; from < MESSAGES; from += BATCH) {
    const batch = [];
    for (let i = from; i < Math.min(from + BATCH, MESSAGES); i++) {
      batch.push({ chat: setup.chatIds[i % CHATS]!, seq: Math.floor(i / CHATS) + 1, local: `bench${i}`, text: textOf(), at: start + i });
    }
    yield batch;
  }
}

/** Members joined long ago, so every message is within their membership. */
const START = Date.now() - MESSAGES - 60_000;

async function fillSqlite(file: string, setup: Setup): Promise<number> {
  const db = new SqliteDatabase(file);
  db.pragma('busy_timeout = 10000');
  const started = performance.now();
  db.prepare('update chat_members set added_at = 0').run();
  const insert = db.prepare(
    `insert into messages (chat_id, seq, author_id, local_id, text, is_visible, created_at, updated_at) values (?, ?, ?, ?, ?, 1, ?, ?)`,
  );
  const many = db.transaction((batch: ReturnType<typeof rows> extends Generator<infer B> ? B : never) => {
    for (const r of batch) insert.run(r.chat, r.seq, setup.author.id, r.local, r.text, r.at, r.at);
  });
  for (const batch of rows(setup, START)) many(batch);
  db.prepare('update chats set last_seq = (select coalesce(max(seq), 0) from messages m where m.chat_id = chats.id)').run();
  db.close();
  return performance.now() - started;
}

async function fillPostgres(pool: pg.Pool, setup: Setup): Promise<number> {
  const started = performance.now();
  await pool.query('update chat_members set added_at = 0');
  for (const batch of rows(setup, START)) {
    await pool.query(
      `insert into messages (chat_id, seq, author_id, local_id, text, is_visible, created_at, updated_at)
       select c, s, $1, l, t, 1, a, a from unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::bigint[]) as u(c, s, l, t, a)`,
      [setup.author.id, batch.map((r) => r.chat), batch.map((r) => r.seq), batch.map((r) => r.local), batch.map((r) => r.text), batch.map((r) => r.at)],
    );
  }
  await pool.query('update chats set last_seq = (select coalesce(max(seq), 0) from messages m where m.chat_id = chats.id)');
  await pool.query('analyze');
  return performance.now() - started;
}

/** 50 concurrent searchers for SECONDS; every request a query of the mix by a random searcher. */
async function searchLatency(url: string, setup: Setup) {
  const result = await autocannon({
    url,
    connections: SEARCHERS,
    duration: SECONDS,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => ({
          ...req,
          path: `/search/messages?limit=20&q=${encodeURIComponent(query())}`,
          headers: { authorization: `Bearer ${pick(setup.searchers).token}` },
        }),
      },
    ],
  });
  return { requests: result.requests.total, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

/** The index query alone, one at a time in this process: what a search costs without HTTP, auth and JSON. */
async function indexLatency(index: SearchIndex, setup: Setup, count = 1000) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const parsed = parseQuery(query());
    if (parsed.empty) continue;
    const started = performance.now();
    await index.searchMessages({ userId: pick(setup.searchers).id, query: parsed, sort: 'relevance', limit: 21 });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2));
  return { queries: times.length, p50: at(0.5), p99: at(0.99) };
}

/** GET /users/me at the same concurrency: the floor any authenticated route pays on this machine now. */
async function usersMeLatency(url: string, setup: Setup) {
  const result = await autocannon({
    url,
    connections: SEARCHERS,
    duration: Math.max(3, Math.round(SECONDS / 2)),
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: '/users/me', headers: { authorization: `Bearer ${pick(setup.searchers).token}` } }) }],
  });
  return { p50: result.latency.p50, p99: result.latency.p99 };
}

/** `call`, tried again when the connection fails (a kept-alive socket the server closed during a long fill). */
async function retrying<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (error) {
      if (i >= attempts || !(error instanceof TypeError)) throw error;
    }
  }
}

/** Hits per query kind for one searcher (what the latencies are made of). */
async function sampleHits(url: string, setup: Setup) {
  const token = setup.searchers[0]!.token;
  const count = async (q: string) => (await retrying(() => call(`${url}/search/messages?limit=50&q=${encodeURIComponent(q)}`, { token }))).results.length;
  return { rare: await count(rare[1]!), common: await count(common[1]!), prefix: await count(`${rare[2]!.slice(0, 4)}*`) };
}

/** Sends per second with the index triggers and without them, rounds alternating. */
async function sendsWithAndWithout(url: string, toggle: (on: boolean) => Promise<void>) {
  const on: number[] = [];
  const off: number[] = [];
  for (let round = 0; round < SEND_ROUNDS; round++) {
    await toggle(true);
    on.push((await messagesPerSecond(url, SEND_SECONDS, `on${round}x`)).perSecond);
    await toggle(false);
    off.push((await messagesPerSecond(url, SEND_SECONDS, `off${round}x`)).perSecond);
  }
  await toggle(true);
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  return { withIndex: median(on), withoutIndex: median(off), ratio: median(on) / median(off), rounds: { on, off } };
}

async function runSqlite() {
  // Our own DATA_DIR (it overrides the server's), so the data set can be written into its file.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-search-'));
  const server = await startParley({ DATA_DIR: dataDir, ...FAST_HASHING });
  try {
    const setup = await createUsersAndChats(server.url);
    const file = path.join(dataDir, 'parley.db');
    const fillMs = await fillSqlite(file, setup);
    console.error(`sqlite: ${MESSAGES} messages written in ${(fillMs / 1000).toFixed(1)} s`);
    const hits = await sampleHits(server.url, setup);
    const search = await searchLatency(server.url, setup);
    const floor = await usersMeLatency(server.url, setup);
    const direct = openSqliteSearchIndex(file);
    const index = await indexLatency(direct, setup);
    direct.close();
    const db = new SqliteDatabase(file);
    db.pragma('busy_timeout = 10000');
    const triggers = db.prepare(`select name, sql from sqlite_master where type = 'trigger' and name like 'messages_fts_%'`).all() as Array<{
      name: string;
      sql: string;
    }>;
    const sends = await sendsWithAndWithout(server.url, async (on) => {
      for (const t of triggers) db.exec(on ? `${t.sql.replace(/^create trigger/i, 'create trigger if not exists')}` : `drop trigger if exists ${t.name}`);
    });
    db.close();
    return { fillMs, hits, search, floor, index, sends };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runPostgres() {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`create schema ${schema}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const server = await startParley({ DATABASE_URL: url.toString(), ...FAST_HASHING });
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  try {
    const setup = await createUsersAndChats(server.url);
    const fillMs = await fillPostgres(pool, setup);
    console.error(`postgres: ${MESSAGES} messages written in ${(fillMs / 1000).toFixed(1)} s`);
    const hits = await sampleHits(server.url, setup);
    const search = await searchLatency(server.url, setup);
    const floor = await usersMeLatency(server.url, setup);
    const index = await indexLatency(createPostgresSearchIndex(pool), setup);
    const { rows: defs } = await pool.query(`select pg_get_triggerdef(oid) as def from pg_trigger where tgname = 'messages_search_doc'`);
    const def = String(defs[0].def);
    const sends = await sendsWithAndWithout(server.url, async (on) => {
      await pool.query('drop trigger if exists messages_search_doc on messages');
      if (on) await pool.query(def);
    });
    return { fillMs, hits, search, floor, index, sends };
  } finally {
    await pool.end();
    await server.stop();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(', ');
const loadBefore = load();
// BENCH_SEARCH_STORES=sqlite (or postgres) measures one engine only; the other column says n/a.
const stores = (process.env.BENCH_SEARCH_STORES ?? 'sqlite,postgres').split(',');
const sqlite = stores.includes('sqlite') ? await runSqlite() : undefined;
console.log(JSON.stringify({ sqlite }, null, 2));
const postgres = stores.includes('postgres') ? await runPostgres() : undefined;
console.log(JSON.stringify({ postgres }, null, 2));
const loadAfter = load();

const lines = [
  '# Search benchmark',
  '',
  `\`npm run bench:search\`, ${new Date().toISOString().slice(0, 16)} UTC: ${fmt(MESSAGES)} messages in ${fmt(CHATS)} chats (8 words each:`,
  '2 of 100 common words, 6 of 10,000 rare ones), 50 searchers each in 60 chats, 50 concurrent connections',
  `for ${SECONDS} s, queries mixed (50 % one rare word, 10 % one common word, 15 % common + rare, 15 % a 4-letter`,
  `prefix, 10 % a phrase with an exclusion), pages of 20. Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, shared with other`,
  `work: load average ${loadBefore} before, ${loadAfter} after (1, 5, 15 min).`,
  '',
  '| | SQLite (FTS5) | PostgreSQL (tsvector + GIN) | target |',
  '|---|---|---|---|',
  `| build the data set (direct batched inserts, triggers indexing) | ${sqlite ? `${fmt(sqlite.fillMs / 1000, 1)} s` : 'n/a'} | ${postgres ? `${fmt(postgres.fillMs / 1000, 1)} s` : 'n/a'} | |`,
  `| searches answered | ${sqlite ? `${fmt(sqlite.search.requests)} (${sqlite.search.non2xx} non-2xx)` : 'n/a'} | ${postgres ? `${fmt(postgres.search.requests)} (${postgres.search.non2xx} non-2xx)` : 'n/a'} | |`,
  `| search p50 | ${sqlite ? `${sqlite.search.p50} ms` : 'n/a'} | ${postgres ? `${postgres.search.p50} ms` : 'n/a'} | |`,
  `| search p99 | ${sqlite ? `${sqlite.search.p99} ms` : 'n/a'} | ${postgres ? `${postgres.search.p99} ms` : 'n/a'} | ≤ 50 ms SQLite, ≤ 100 ms PG |`,
  `| GET /users/me at 50 connections, p50 / p99 (the HTTP floor now) | ${sqlite ? `${sqlite.floor.p50} / ${sqlite.floor.p99} ms` : 'n/a'} | ${postgres ? `${postgres.floor.p50} / ${postgres.floor.p99} ms` : 'n/a'} | |`,
  `| index query alone, one at a time, p50 / p99 (1,000 queries) | ${sqlite ? `${sqlite.index.p50} / ${sqlite.index.p99} ms` : 'n/a'} | ${postgres ? `${postgres.index.p50} / ${postgres.index.p99} ms` : 'n/a'} | |`,
  `| sends/s with the index | ${sqlite ? fmt(sqlite.sends.withIndex) : 'n/a'} | ${postgres ? fmt(postgres.sends.withIndex) : 'n/a'} | |`,
  `| sends/s without (triggers dropped) | ${sqlite ? fmt(sqlite.sends.withoutIndex) : 'n/a'} | ${postgres ? fmt(postgres.sends.withoutIndex) : 'n/a'} | |`,
  `| ratio | ${sqlite ? `${fmt(sqlite.sends.ratio, 2)} ×` : 'n/a'} | ${postgres ? `${fmt(postgres.sends.ratio, 2)} ×` : 'n/a'} | ≥ 0.8 × |`,
  '',
  `Hits for searcher 0 (page of 50): rare word ${(sqlite ?? postgres)?.hits.rare}, common word ${(sqlite ?? postgres)?.hits.common}, prefix ${(sqlite ?? postgres)?.hits.prefix}.`,
  `Send rounds (${SEND_SECONDS} s each, 50 senders in one chat, alternating):` +
    (sqlite ? ` SQLite on ${sqlite.sends.rounds.on.map((n) => fmt(n)).join(' / ')}, off ${sqlite.sends.rounds.off.map((n) => fmt(n)).join(' / ')}.` : '') +
    (postgres
      ? ` PostgreSQL on ${postgres.sends.rounds.on.map((n) => fmt(n)).join(' / ')}, off ${postgres.sends.rounds.off.map((n) => fmt(n)).join(' / ')}.`
      : ''),
  '',
];
writeFileSync(process.env.BENCH_SEARCH_OUT ?? 'bench/results-search.md', `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
