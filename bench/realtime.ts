/**
 * Real-time figures, each server in its own process, on 127.0.0.1:
 *  1. Room fan-out: 1 writer, 200 readers, every message persisted by Parley, against a bare
 *     `ws` broadcast server; rounds alternate between the two so drift hits both.
 *  2. Idle memory per socket at 5k and 10k sockets (native, authenticated sockets).
 *
 *   npx tsx bench/realtime.ts [messagesPerRound] [rounds]
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { mib, rssOf } from './lib/rss.js';
import { call, freePort, machine, startParley } from './lib/server.js';

const MESSAGES = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 3);
const READERS = 200;

async function startBare(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bench/baselines/ws-broadcast.mjs', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return { url: `ws://127.0.0.1:${port}`, stop: async () => void (child.kill('SIGTERM'), await new Promise((r) => child.once('exit', r))) };
}

function open(url: string, protocols?: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** One round: readers join, the writer sends MESSAGES as fast as it can; time until every reader has the last one. */
async function fanOut(readerUrl: string, writerUrl: string, writerProtocols?: string[]) {
  const readers = await Promise.all(Array.from({ length: READERS }, () => open(readerUrl)));
  const writer = await open(writerUrl, writerProtocols);
  const last = `"m${MESSAGES - 1}"`;
  let done = 0;
  let frames = 0;
  const finished = new Promise<void>((resolve) => {
    for (const r of readers) {
      r.on('message', (data) => {
        frames++;
        if (String(data).includes(last) && ++done === READERS) resolve();
      });
    }
  });
  // The writer paces itself like a real client: at most WINDOW of its messages in flight
  // (it is in the room and sees its own), under the server's per-socket frame bound.
  const WINDOW = 50;
  let sent = 0;
  let echoed = 0;
  const pump = () => {
    while (sent < MESSAGES && sent - echoed < WINDOW) writer.send(JSON.stringify({ text: `m${sent++}` }));
  };
  writer.on('message', () => {
    echoed++;
    pump();
  });
  const started = performance.now();
  pump();
  await Promise.race([finished, new Promise((_, reject) => setTimeout(() => reject(new Error('fan-out round timed out')), 120_000))]);
  const seconds = (performance.now() - started) / 1000;
  for (const s of [...readers, writer]) s.terminate();
  return { messagesPerSecond: MESSAGES / seconds, deliveriesPerSecond: frames / seconds };
}

/** Opens `count` native sockets over the sessions in `tokens`; returns the server's RSS growth per socket. */
async function idleMemory(server: { url: string; pid: number }, tokens: string[], count: number) {
  const before = rssOf(server.pid);
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 200) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(200, count - i) }, (_, j) => open(`${server.url.replace('http', 'ws')}/ws`, [tokens[(i + j) % tokens.length]!])))));
  }
  await new Promise((r) => setTimeout(r, 3000));
  const after = rssOf(server.pid);
  for (const s of sockets) s.terminate();
  await new Promise((r) => setTimeout(r, 1000));
  return { before, after, perSocket: (after - before) / count };
}

const parley = await startParley({ ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', WS_PING_INTERVAL_SECONDS: '3600' });
const bare = await startBare();
try {
  const writer = await call(`${parley.url}/users`, { body: { name: 'Writer', username: 'writer', password: 'bench password' } });
  const roomPath = '/api/v1/rooms/bench/messages/ws';
  const rows: Array<{ server: string; round: number; messagesPerSecond: number; deliveriesPerSecond: number }> = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const p = await fanOut(`${parley.url.replace('http', 'ws')}${roomPath}`, `${parley.url.replace('http', 'ws')}${roomPath}`, [writer.token]);
    rows.push({ server: 'parley', round, ...p });
    const b = await fanOut(bare.url, bare.url);
    rows.push({ server: 'bare ws', round, ...b });
    console.log(`round ${round}: parley ${p.messagesPerSecond.toFixed(0)} msg/s, bare ${b.messagesPerSecond.toFixed(0)} msg/s`);
  }
  const median = (server: string) => {
    const values = rows.filter((r) => r.server === server).map((r) => r.messagesPerSecond).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)]!;
  };
  const ratio = median('parley') / median('bare ws');

  // Idle sockets: 100 users, 100 sessions each (sessions are per device), native sockets.
  const tokens: string[] = [];
  for (let u = 0; u < 100; u++) {
    const user = await call(`${parley.url}/users`, { body: { name: `Idle ${u}`, username: `idle${u}`, password: 'bench password' } });
    tokens.push(user.token);
    for (let d = 1; d < 100; d++) {
      const login = await fetch(`${parley.url}/users/login`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`idle${u}:bench password`).toString('base64')}`, 'content-type': 'application/json' }, body: JSON.stringify({ deviceInfo: { id: `dev-${d}` } }) });
      tokens.push(((await login.json()) as { token: string }).token);
    }
  }
  const m5 = await idleMemory(parley, tokens, 5000);
  const m10 = await idleMemory(parley, tokens, 10000);
  console.log(`idle: 5k sockets ${(m5.perSocket / 1024).toFixed(1)} KiB/socket, 10k ${(m10.perSocket / 1024).toFixed(1)} KiB/socket`);

  const md = `# Real-time benchmark

Run: ${new Date().toISOString()} on ${await machine()}.
Command: \`npm run bench:realtime\` (\`npx tsx bench/realtime.ts ${MESSAGES} ${ROUNDS}\`). Each server runs in its own
process on 127.0.0.1; the load client is a third process on the same 2 cores, so absolute figures are
lower than on separate machines; the ratio is the point.

## Room fan-out: 1 writer, ${READERS} readers, ${MESSAGES} messages a round

Parley stores every message (SQLite, one transaction each, gap-free seq) before it fans out; the bare
\`ws\` server only broadcasts. Rounds alternate between the two.

| round | Parley msg/s | Parley deliveries/s | bare ws msg/s | bare ws deliveries/s |
|---|---|---|---|---|
${Array.from({ length: ROUNDS }, (_, i) => {
  const p = rows.find((r) => r.server === 'parley' && r.round === i + 1)!;
  const b = rows.find((r) => r.server === 'bare ws' && r.round === i + 1)!;
  return `| ${i + 1} | ${p.messagesPerSecond.toFixed(0)} | ${p.deliveriesPerSecond.toFixed(0)} | ${b.messagesPerSecond.toFixed(0)} | ${b.deliveriesPerSecond.toFixed(0)} |`;
}).join('\n')}

Median: Parley **${median('parley').toFixed(0)} msg/s** (${(median('parley') * READERS).toFixed(0)} deliveries/s), bare ws ${median('bare ws').toFixed(0)} msg/s: **${ratio.toFixed(2)} ×** the bare server (aim ≥ 0.6).

## Idle memory per socket (native sockets, authenticated, one per device session)

| sockets | server RSS before | after | per socket |
|---|---|---|---|
| 5,000 | ${mib(m5.before)} MiB | ${mib(m5.after)} MiB | **${(m5.perSocket / 1024).toFixed(1)} KiB** |
| 10,000 | ${mib(m10.before)} MiB | ${mib(m10.after)} MiB | **${(m10.perSocket / 1024).toFixed(1)} KiB** |

(aim ≤ 16 KiB per socket)
`;
  writeFileSync('bench/results-realtime.md', md);
  console.log(md);
} finally {
  await parley.stop();
  await bare.stop();
}
