/**
 * Delivery across nodes: Parley on PostgreSQL + Redis, first as two processes, then as one
 * for comparison. One group chat of SOCKETS members, each with a native socket (spread over
 * both nodes in turn); SENDERS of them send over HTTP on node A, back to back, for `seconds`.
 * Measures messages stored per second, socket deliveries per second, and the end-to-end
 * latency from the start of the send to the frame on a socket (on node B when there are
 * two nodes, so the event crossed Redis), and each node's CPU.
 *
 *   npm run bench:two-nodes            (npx tsx bench/two-nodes.ts [seconds])
 *   BENCH_SOCKETS=40 BENCH_SENDERS=8   (defaults)
 *
 * Needs PostgreSQL (DATABASE_URL, default the local `test` db; each scenario in a fresh
 * schema, dropped after) and Redis (REDIS_URL, default local; a channel prefix per scenario).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import WebSocket from 'ws';
import { call, machine, startParley, type BenchServer } from './lib/server.js';

const seconds = Number(process.argv[2] ?? 10);
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 40);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 8);
/** After the senders stop, how long deliveries still in flight may take to arrive. */
const DRAIN_MS = 3000;
const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

interface Result {
  nodes: number;
  stored: number;
  storedPerSecond: number;
  deliveries: number;
  expected: number;
  deliveriesPerSecond: number;
  /** End to end on node B (two nodes) or on the one node, ms. */
  e2e: { p50: number; p99: number };
  /** End to end on node A, where the message was sent (two nodes only). */
  e2eLocal?: { p50: number; p99: number };
  send: { p50: number; p99: number };
  errors: number;
  /** Share of one core during the send phase, per Parley node. */
  cpu: number[];
  /** The same for PostgreSQL (Parley's backends), Redis, and this load generator. */
  cpuOthers: { postgres: number; redis: number; generator: number };
  /** The whole machine, every process included, in the same unit (200% = 2 cores busy). */
  machineCpu: number;
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const summary = (values: number[]) => ({ p50: Math.round(percentile(values, 50) * 10) / 10, p99: Math.round(percentile(values, 99) * 10) / 10 });

/** CPU seconds (user + system) a process has used so far; 0 when it cannot be read. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Busy and total CPU time of the whole machine (from /proc/stat), in clock ticks. */
function machineTicks(): { busy: number; total: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * CPU of the services on this machine, to see where the time goes: PostgreSQL backends of
 * Parley's pools (by application_name) and the Redis server (by its INFO process_id).
 */
async function serviceCpu(): Promise<{ postgres: Map<number, number>; redis: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ pid: number }>("select pid from pg_stat_activity where application_name = 'parley'");
  await client.end();
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
  redis.disconnect();
  return { postgres: new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid)])), redis: pid ? cpuSeconds(pid) : 0 };
}

async function withSchema<T>(work: (url: string) => Promise<T>): Promise<T> {
  const name = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`create schema ${name}`);
  try {
    const url = new URL(databaseUrl);
    url.searchParams.set('options', `-c search_path=${name}`);
    return await work(url.toString());
  } finally {
    await admin.query(`drop schema ${name} cascade`);
    await admin.end();
  }
}

function openSocket(url: string, onFrame: (frame: any) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('message', (data) => onFrame(JSON.parse(String(data))));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function scenario(nodeCount: 1 | 2): Promise<Result> {
  return withSchema(async (schemaUrl) => {
    const env = {
      DATABASE_URL: schemaUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: `parley-bench-${randomUUID().slice(0, 8)}:`,
      // Registration is not what is measured.
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
    };
    const nodes: BenchServer[] = [];
    const sockets: WebSocket[] = [];
    try {
      nodes.push(await startParley(env));
      if (nodeCount === 2) nodes.push(await startParley(env));
      const [a] = nodes;
      const users: Array<{ id: number; token: string }> = [];
      for (let i = 0; i < SOCKETS; i++) {
        users.push(await call(`${a!.url}/users`, { body: { name: `Member ${i}`, username: `member${i}`, password: 'bench password' } }));
      }
      const chat = await call(`${a!.url}/chats`, {
        token: users[0]!.token,
        body: { title: 'Bench', participants: users.slice(1).map((u) => u.id), isPersonal: false },
      });

      const started = new Map<string, number>();
      const remote: number[] = [];
      const local: number[] = [];
      let deliveries = 0;
      let lastDelivery = 0;
      for (const [i, user] of users.entries()) {
        const node = nodes[i % nodes.length]!;
        const latencies = node === a && nodeCount === 2 ? local : remote;
        const wsUrl = `${node.url.replace('http', 'ws')}/ws?token=${user.token}`;
        sockets.push(
          await openSocket(wsUrl, (frame) => {
            if (frame.event !== 'message') return;
            const t0 = started.get(frame.payload.localId);
            if (t0 === undefined) return;
            lastDelivery = performance.now();
            latencies.push(lastDelivery - t0);
            deliveries++;
          }),
        );
      }

      const cpuBefore = nodes.map((n) => cpuSeconds(n.pid));
      const servicesBefore = await serviceCpu();
      const generatorBefore = process.cpuUsage();
      const machineBefore = machineTicks();
      const path = `${a!.url}/chats/${chat.id}/messages`;
      const sendLatencies: number[] = [];
      let stored = 0;
      let errors = 0;
      let stop = false;
      const sender = async (user: { token: string }) => {
        while (!stop) {
          const localId = randomUUID();
          const t0 = performance.now();
          started.set(localId, t0);
          const res = await fetch(path, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
            body: JSON.stringify({ localId, text: `bench ${localId}` }),
          });
          await res.arrayBuffer();
          if (res.ok) {
            stored++;
            sendLatencies.push(performance.now() - t0);
          } else errors++;
        }
      };
      const t0 = performance.now();
      const running = users.slice(0, SENDERS).map(sender);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      stop = true;
      await Promise.all(running);
      const sendSeconds = (performance.now() - t0) / 1000;
      const share = (cpu: number) => Math.round((cpu / sendSeconds) * 100);
      const generator = process.cpuUsage(generatorBefore);
      const machineAfter = machineTicks();
      const cores = (await import('node:os')).cpus().length;
      const machineCpu = Math.round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * cores * 100);
      const servicesAfter = await serviceCpu();
      let postgresCpu = 0;
      for (const [pid, after] of servicesAfter.postgres) postgresCpu += after - (servicesBefore.postgres.get(pid) ?? 0);
      const cpuOthers = {
        postgres: share(postgresCpu),
        redis: share(servicesAfter.redis - servicesBefore.redis),
        generator: share((generator.user + generator.system) / 1e6),
      };
      const expected = stored * SOCKETS;
      for (let waited = 0; deliveries < expected && waited < DRAIN_MS; waited += 20) await new Promise((r) => setTimeout(r, 20));
      const cpu = nodes.map((n, i) => share(cpuSeconds(n.pid) - cpuBefore[i]!));
      return {
        nodes: nodeCount,
        stored,
        storedPerSecond: Math.round(stored / sendSeconds),
        deliveries,
        expected,
        deliveriesPerSecond: Math.round(deliveries / ((lastDelivery - t0) / 1000)),
        e2e: summary(remote),
        ...(nodeCount === 2 ? { e2eLocal: summary(local) } : {}),
        send: summary(sendLatencies),
        errors,
        cpu,
        cpuOthers,
        machineCpu,
      };
    } finally {
      for (const ws of sockets) ws.terminate();
      await Promise.all(nodes.map((n) => n.stop()));
    }
  });
}

const results: Result[] = [];
for (const count of [2, 1] as const) {
  const result = await scenario(count);
  console.log(JSON.stringify(result));
  results.push(result);
}

const row = (r: Result) =>
  `| ${r.nodes} | ${r.stored} | **${r.storedPerSecond}** | ${r.deliveries} of ${r.expected} | **${r.deliveriesPerSecond}** | ${r.e2e.p50} / ${r.e2e.p99} | ${r.e2eLocal ? `${r.e2eLocal.p50} / ${r.e2eLocal.p99}` : '–'} | ${r.send.p50} / ${r.send.p99} | ${r.cpu.map((c) => `${c}%`).join(' + ')} | ${r.cpuOthers.postgres}% / ${r.cpuOthers.redis}% / ${r.cpuOthers.generator}% | ${r.machineCpu}% | ${r.errors} |`;

const md = `# Two nodes: delivery across PostgreSQL + Redis

Run: ${new Date().toISOString()} on ${await machine()}.
Command: \`npm run bench:two-nodes\` (\`npx tsx bench/two-nodes.ts ${seconds}\`), ${SOCKETS} sockets, ${SENDERS} senders.

Parley on PostgreSQL and Redis (both on this machine), \`RATE_LIMITS=off\`. One group chat
of ${SOCKETS} members, each holding a native socket; with two nodes the sockets alternate
between node A and node B. ${SENDERS} members send over HTTP on node A, each sending its next
message as soon as the last is answered, for ${seconds} s. Every message goes to every member's
socket (the senders' too), so a stored message makes ${SOCKETS} deliveries. End to end is
from the start of the HTTP send to the frame on a socket: on node B with two nodes (the event
crossed Redis), on the one node otherwise; "on A" is the same for sockets on the sending
node. CPU is a share of one core during the send phase (100% = one core busy), for each
Parley node, and for PostgreSQL (Parley's backends), Redis and the load generator: all of
them share the machine's ${(await import('node:os')).cpus().length} cores. "Machine" is every process on it; what it
shows beyond the processes listed is other work that ran at the same time.

| nodes | messages stored | stored / s | deliveries | deliveries / s | end to end p50 / p99 ms | on A p50 / p99 ms | send p50 / p99 ms | CPU per node | CPU PostgreSQL / Redis / generator | CPU machine | errors |
|---|---|---|---|---|---|---|---|---|---|---|---|
${results.map(row).join('\n')}
`;
writeFileSync('bench/results-two-nodes.md', md);
console.log(md);
