/**
 * Scale-out: 1, 2 and 3 Parley nodes on one PostgreSQL and one Redis (and one SQLite node for
 * comparison), the same load each time. SENDERS users in CHATS group chats (SENDERS / CHATS
 * members each) send over HTTP back to back, each through node (i mod nodes), as behind a
 * load balancer without sticky sessions; every user also holds a native socket on another
 * node than its sends, so most events cross Redis. Rounds alternate between the scenarios.
 *
 * Reports stored/s, deliveries/s, CPU per stored message of each node and in all, and
 * PostgreSQL's CPU per stored message (its backends serving Parley, read from /proc), and
 * checks after each round that every acknowledged message is stored and that each chat's
 * seqs are gap-free.
 *
 *   npm run bench:nodes                  (npx tsx bench/nodes.ts [seconds] [rounds])
 *   BENCH_SENDERS=50 BENCH_CHATS=10      (defaults)
 *
 * Needs PostgreSQL (DATABASE_URL, default the local `test` db; each round in a fresh schema,
 * dropped after) and Redis (REDIS_URL, default local; a channel prefix per round).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import WebSocket from 'ws';
import { cpuOf } from './lib/cpu.js';
import { call, machine, startParley, type BenchServer } from './lib/server.js';

const seconds = Number(process.argv[2] ?? 8);
const rounds = Number(process.argv[3] ?? 2);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 50);
const CHATS = Number(process.env.BENCH_CHATS ?? 10);
const DRAIN_MS = 3000;
/** Each node's CPU with sockets open and nothing sent (timers, heartbeats, pollers), measured first. */
const IDLE_MS = 3000;
const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

type Scenario = { store: 'postgres'; nodes: 1 | 2 | 3 } | { store: 'sqlite'; nodes: 1 };
const label = (s: Scenario) => (s.store === 'sqlite' ? 'SQLite, 1 node' : `PostgreSQL, ${s.nodes} node${s.nodes > 1 ? 's' : ''}`);

interface Result {
  scenario: string;
  round: number;
  stored: number;
  storedPerSecond: number;
  deliveriesPerSecond: number;
  deliveries: number;
  expected: number;
  /** µs of CPU per stored message: each node, all nodes, PostgreSQL's backends. */
  cpuPerNode: number[];
  cpuNodes: number;
  /** The same less each node's idle CPU over the send phase: what the messages themselves cost. */
  cpuNodesNet: number;
  /** Idle CPU of all nodes, µs per second. */
  idleNodes: number;
  cpuPostgres: number | null;
  lost: number;
  gaps: number;
  errors: number;
  load: number;
}

/** CPU µs of Parley's PostgreSQL backends (by application_name), per pid. */
async function postgresCpu(client: pg.Client): Promise<Map<number, number>> {
  const { rows } = await client.query<{ pid: number }>("select pid from pg_stat_activity where application_name = 'parley'");
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      out.set(pid, cpuOf(pid));
    } catch {
      // the backend ended meanwhile
    }
  }
  return out;
}

function openSocket(url: string, onFrame: (frame: any) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('message', (data) => onFrame(JSON.parse(String(data))));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function runRound(scenario: Scenario, round: number): Promise<Result> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  await admin.query(`create schema ${schema}`);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const env: Record<string, string> = {
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ...(scenario.store === 'postgres' ? { DATABASE_URL: url.toString(), REDIS_URL: redisUrl, REDIS_PREFIX: `parley-bench-${randomUUID().slice(0, 8)}:` } : {}),
  };
  const nodes: BenchServer[] = [];
  const sockets: WebSocket[] = [];
  try {
    nodes.push(...(await Promise.all(Array.from({ length: scenario.nodes }, () => startParley(env)))));
    const users: Array<{ id: number; token: string }> = [];
    for (let i = 0; i < SENDERS; i++) {
      users.push(await call(`${nodes[i % nodes.length]!.url}/users`, { body: { name: `Member ${i}`, username: `member${i}`, password: 'bench password' } }));
    }
    const perChat = Math.max(1, Math.floor(SENDERS / CHATS));
    const chatOf: string[] = [];
    for (let c = 0; c < CHATS; c++) {
      const members = users.slice(c * perChat, (c + 1) * perChat);
      const chat = await call(`${nodes[0]!.url}/chats`, {
        token: members[0]!.token,
        body: { title: `Bench ${c}`, participants: members.slice(1).map((u) => u.id), isPersonal: false },
      });
      for (let i = 0; i < members.length; i++) chatOf[c * perChat + i] = chat.id;
    }
    let deliveries = 0;
    let lastDelivery = 0;
    const ours = new Set<string>();
    for (const [i, user] of users.entries()) {
      const node = nodes[(i + 1) % nodes.length]!;
      sockets.push(
        await openSocket(`${node.url.replace('http', 'ws')}/ws?token=${user.token}`, (frame) => {
          if (frame.event !== 'message' || !ours.has(frame.payload.localId)) return;
          deliveries++;
          lastDelivery = performance.now();
        }),
      );
    }

    const idleBefore = nodes.map((n) => cpuOf(n.pid));
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idlePerSecond = nodes.reduce((sum, n, i) => sum + cpuOf(n.pid) - idleBefore[i]!, 0) / (IDLE_MS / 1000);
    const nodeCpuBefore = nodes.map((n) => cpuOf(n.pid));
    const pgBefore = await postgresCpu(admin);
    const acked: number[] = [];
    let errors = 0;
    let stop = false;
    const sender = async (i: number) => {
      const user = users[i]!;
      const path = `${nodes[i % nodes.length]!.url}/chats/${chatOf[i]}/messages`;
      while (!stop) {
        const localId = randomUUID();
        ours.add(localId);
        const res = await fetch(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
          body: JSON.stringify({ localId, text: `bench ${localId}` }),
        });
        const body = (await res.json()) as { id?: number };
        if (res.ok && typeof body.id === 'number') acked.push(body.id);
        else errors++;
      }
    };
    const t0 = performance.now();
    const running = users.map((_, i) => sender(i).catch(() => void errors++));
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    stop = true;
    await Promise.all(running);
    const elapsed = (performance.now() - t0) / 1000;
    const nodeCpu = nodes.map((n, i) => cpuOf(n.pid) - nodeCpuBefore[i]!);
    const pgAfter = await postgresCpu(admin);
    let pgCpu = 0;
    for (const [pid, after] of pgAfter) pgCpu += after - (pgBefore.get(pid) ?? 0);
    const stored = acked.length;
    const expected = stored * perChat;
    for (let waited = 0; deliveries < expected && waited < DRAIN_MS; waited += 20) await new Promise((r) => setTimeout(r, 20));

    // Lost: acknowledged ids missing from the store. Gaps: per chat, seqs not exactly 1..count.
    let lost = 0;
    let gaps = 0;
    if (scenario.store === 'postgres') {
      const present = await admin.query<{ n: string }>(`select count(*) as n from ${schema}.messages where id = any($1::int[])`, [acked]);
      lost = stored - Number(present.rows[0]!.n);
      const chats = await admin.query<{ n: string; top: string; bottom: string }>(
        `select count(*) as n, max(seq) as top, min(seq) as bottom from ${schema}.messages group by chat_id`,
      );
      gaps = chats.rows.filter((r) => Number(r.n) !== Number(r.top) || Number(r.bottom) !== 1).length;
    } else {
      // SQLite (comparison only): the newest seqs add up to the number stored; gaps are not read.
      let top = 0;
      for (const c of new Set(chatOf)) {
        const owner = users[chatOf.indexOf(c)]!;
        const [latest] = await call<Array<{ seq: number }>>(`${nodes[0]!.url}/chats/${c}/messages?count=1`, { token: owner.token });
        top += latest?.seq ?? 0;
      }
      lost = Math.max(0, stored - top);
    }
    const perMessage = (us: number) => (stored === 0 ? 0 : Math.round(us / stored));
    return {
      scenario: label(scenario),
      round,
      stored,
      storedPerSecond: Math.round(stored / elapsed),
      deliveries,
      expected,
      deliveriesPerSecond: Math.round(deliveries / ((lastDelivery - t0) / 1000)),
      cpuPerNode: nodeCpu.map(perMessage),
      cpuNodes: perMessage(nodeCpu.reduce((a, b) => a + b, 0)),
      cpuNodesNet: perMessage(Math.max(0, nodeCpu.reduce((a, b) => a + b, 0) - idlePerSecond * elapsed)),
      idleNodes: Math.round(idlePerSecond),
      cpuPostgres: scenario.store === 'postgres' ? perMessage(pgCpu) : null,
      lost,
      gaps,
      errors,
      load: Math.round(loadavg()[0]! * 10) / 10,
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await Promise.all(nodes.map((n) => n.stop()));
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

const scenarios: Scenario[] = [
  { store: 'postgres', nodes: 1 },
  { store: 'postgres', nodes: 2 },
  { store: 'postgres', nodes: 3 },
  { store: 'sqlite', nodes: 1 },
];
const results: Result[] = [];
for (let round = 1; round <= rounds; round++) {
  // Alternated: the order turns each round, so slow spells of the shared machine spread over all.
  const order = scenarios.map((_, i) => scenarios[(i + round - 1) % scenarios.length]!);
  for (const scenario of order) {
    const result = await runRound(scenario, round);
    console.log(JSON.stringify(result));
    results.push(result);
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
};
const of = (name: string) => results.filter((r) => r.scenario === name);
const summary = scenarios.map((s) => {
  const rs = of(label(s));
  return {
    name: label(s),
    stored: median(rs.map((r) => r.storedPerSecond)),
    cpuNodes: median(rs.map((r) => r.cpuNodes)),
    cpuNodesNet: median(rs.map((r) => r.cpuNodesNet)),
    cpuPostgres: s.store === 'postgres' ? median(rs.map((r) => r.cpuPostgres ?? 0)) : null,
  };
});
const one = summary[0]!;
const sqlite = summary[3]!;
const ratio = (x: number, y: number) => (y === 0 ? '–' : `${(x / y).toFixed(2)} ×`);
const totalCpu = (s: (typeof summary)[number]) => s.cpuNodes + (s.cpuPostgres ?? 0);
const lostAll = results.reduce((n, r) => n + r.lost, 0);
const gapsAll = results.reduce((n, r) => n + r.gaps, 0);

const md = `# Scale-out: 1, 2 and 3 nodes on one PostgreSQL and one Redis

Run: ${new Date().toISOString()} on ${await machine()}; load average at the start ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' / ')}
(the machine is shared with other work: figures are as measured).
Command: \`npm run bench:nodes\` (\`npx tsx bench/nodes.ts ${seconds} ${rounds}\`): ${SENDERS} senders in ${CHATS} group chats of
${Math.floor(SENDERS / CHATS)}, each sending back to back through node (i mod nodes) for ${seconds} s; every user holds a native
socket on the next node, so a message makes ${Math.floor(SENDERS / CHATS)} deliveries, most of them across Redis. Rounds alternate
between the scenarios (${rounds} rounds). PostgreSQL, Redis, every node and the load generator share the machine's ${cpus().length} cores,
so stored/s cannot grow with nodes here; CPU per stored message is the figure that shows scaling.
CPU is user + system time from /proc: each Parley node, and PostgreSQL's backends serving Parley.

## Targets

| target | measured | met |
|---|---|---|
| PostgreSQL stored/s (1 node, ${SENDERS} senders) ≥ 0.5 × SQLite's | ${one.stored}/s vs ${sqlite.stored}/s: ${ratio(one.stored, sqlite.stored)} | ${one.stored >= 0.5 * sqlite.stored ? 'yes' : '**no**'} |
${summary
  .slice(1, 3)
  .map(
    (s) =>
      `| ${s.name}: CPU per stored message (nodes + PostgreSQL) ≤ 1.2 × one node's | ${totalCpu(s)} µs vs ${totalCpu(one)} µs: ${ratio(totalCpu(s), totalCpu(one))} | ${totalCpu(s) <= 1.2 * totalCpu(one) ? 'yes' : '**no**'} |`,
  )
  .join('\n')}
| 0 lost, 0 gaps (every round) | ${lostAll} lost, ${gapsAll} chats with gaps | ${lostAll === 0 && gapsAll === 0 ? 'yes' : '**no**'} |

## Medians

| scenario | stored / s | CPU µs / message, all nodes | the same less idle | PostgreSQL CPU µs / message |
|---|---|---|---|---|
${summary.map((s) => `| ${s.name} | **${s.stored}** | ${s.cpuNodes} | ${s.cpuNodesNet} | ${s.cpuPostgres ?? '–'} |`).join('\n')}

## Every round

| round | scenario | stored | stored / s | deliveries | deliveries / s | CPU µs / message per node | all nodes | less idle | idle µs/s | PostgreSQL | lost | gaps | errors | load |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${results
  .map(
    (r) =>
      `| ${r.round} | ${r.scenario} | ${r.stored} | ${r.storedPerSecond} | ${r.deliveries} of ${r.expected} | ${r.deliveriesPerSecond} | ${r.cpuPerNode.join(' + ')} | ${r.cpuNodes} | ${r.cpuNodesNet} | ${r.idleNodes} | ${r.cpuPostgres ?? '–'} | ${r.lost} | ${r.gaps} | ${r.errors} | ${r.load} |`,
  )
  .join('\n')}
`;
writeFileSync(process.env.BENCH_OUT ?? 'bench/results-nodes.md', md);
console.log(md);
