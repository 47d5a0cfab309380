/**
 * The soak: Parley under a steady message load for a given time, reporting whether anything
 * was lost. Starts the server as a child process (the embedded default, or PostgreSQL and
 * Redis when SOAK_DATABASE_URL / SOAK_REDIS_URL are set), registers SOAK_USERS users in one
 * group chat, opens one native socket per user, and sends SOAK_RATE messages per second over
 * HTTP (spread over the users, at most SOAK_IN_FLIGHT at once) until the time is up. Then it
 * waits for deliveries still in flight and reports:
 *
 * - sent: sends attempted; acknowledged: answered 200 (stored); errors: any other answer or
 *   a network error;
 * - gaps: acknowledged messages some socket never received (summed over sockets), and holes
 *   in the chat's seq among the acknowledged ones;
 * - the server's RSS, sampled every 5 s (first, lowest, highest, last, and per minute).
 *
 * Run: npm run soak                      (10 minutes)
 *      npm run soak -- --minutes 2       (or --seconds 120, or SOAK_SECONDS=120)
 * Writes bench/results-soak.md (bench/results-soak-postgres-redis.md with SOAK_DATABASE_URL or SOAK_REDIS_URL).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { call, machine, startParley } from './lib/server.js';
import { mib, rssOf } from './lib/rss.js';

/** The soak's length in seconds: `--seconds N`, `--minutes N`, SOAK_SECONDS, else 600. */
function durationSeconds(argv: string[]): number {
  const flag = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? Number(argv[at + 1]) : undefined;
  };
  const minutes = flag('--minutes');
  const seconds = flag('--seconds') ?? (minutes === undefined ? undefined : minutes * 60) ?? Number(process.env.SOAK_SECONDS ?? 600);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('the soak needs a positive duration: --seconds N or --minutes N');
  return seconds;
}

const SECONDS = durationSeconds(process.argv.slice(2));
const RATE = Number(process.env.SOAK_RATE ?? 100);
const USERS = Number(process.env.SOAK_USERS ?? 10);
const IN_FLIGHT = Number(process.env.SOAK_IN_FLIGHT ?? 64);
/** After the last send, how long deliveries still on their way may take. */
const DRAIN_MS = 5000;
const RSS_EVERY_MS = 5000;

interface Member {
  id: number;
  token: string;
  socket?: WebSocket;
  /** Seqs of the chat's messages this member's socket received. */
  seen: Set<number>;
}

function openSocket(url: string, member: Member): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.event === 'message' && typeof frame.payload?.seq === 'number') member.seen.add(frame.payload.seq);
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const env: Record<string, string> = { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' };
if (process.env.SOAK_DATABASE_URL) env.DATABASE_URL = process.env.SOAK_DATABASE_URL;
if (process.env.SOAK_REDIS_URL) env.REDIS_URL = process.env.SOAK_REDIS_URL;
const server = await startParley(env);
const members: Member[] = [];
try {
  for (let i = 0; i < USERS; i++) {
    const user = await call(`${server.url}/users`, { body: { name: `Soak ${i}`, username: `soak${i}`, password: 'soak password' } });
    members.push({ id: user.id, token: user.token, seen: new Set() });
  }
  const chat = await call(`${server.url}/chats`, {
    token: members[0]!.token,
    body: { title: 'Soak', participants: members.slice(1).map((m) => m.id), isPersonal: false },
  });
  for (const member of members) member.socket = await openSocket(`${server.url.replace('http', 'ws')}/ws?token=${member.token}`, member);

  const rss: Array<{ at: number; bytes: number }> = [];
  const sampleRss = () => rss.push({ at: performance.now(), bytes: rssOf(server.pid) });
  sampleRss();
  const rssTimer = setInterval(sampleRss, RSS_EVERY_MS);

  let sent = 0;
  let acknowledged = 0;
  let errors = 0;
  const errorKinds = new Map<string, number>();
  const storedSeqs: number[] = [];
  let inFlight = 0;
  const messagesUrl = `${server.url}/chats/${chat.id}/messages`;
  const sendOne = async (member: Member) => {
    sent++;
    inFlight++;
    try {
      const res = await fetch(messagesUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${member.token}` },
        body: JSON.stringify({ localId: randomUUID(), text: `soak ${sent}` }),
      });
      const body = (await res.json().catch(() => undefined)) as { seq?: number } | undefined;
      if (res.status === 200 && typeof body?.seq === 'number') {
        acknowledged++;
        storedSeqs.push(body.seq);
      } else {
        errors++;
        errorKinds.set(`HTTP ${res.status}`, (errorKinds.get(`HTTP ${res.status}`) ?? 0) + 1);
      }
    } catch (error) {
      errors++;
      const kind = (error as Error).message;
      errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
    } finally {
      inFlight--;
    }
  };

  // Paced: every 10 ms, as many sends as keep the total at RATE × elapsed (bounded in flight).
  const started = performance.now();
  const pending = new Set<Promise<void>>();
  let skipped = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed >= SECONDS) {
        clearInterval(tick);
        return resolve();
      }
      const due = Math.floor(elapsed * RATE) - sent - skipped;
      for (let i = 0; i < due; i++) {
        // A server that falls behind is not buried: the send is counted as not made.
        if (inFlight >= IN_FLIGHT) {
          skipped++;
          continue;
        }
        const send = sendOne(members[(sent + skipped) % members.length]!);
        pending.add(send);
        void send.finally(() => pending.delete(send));
      }
    }, 10);
  });
  await Promise.all(pending);
  const sendSeconds = (performance.now() - started) / 1000;

  // Deliveries still on their way: wait until every socket has every acknowledged seq, or the drain ends.
  const drainEnd = performance.now() + DRAIN_MS;
  const missingOf = (member: Member) => storedSeqs.filter((seq) => !member.seen.has(seq)).length;
  while (performance.now() < drainEnd && members.some((m) => missingOf(m) > 0)) await new Promise((r) => setTimeout(r, 100));
  clearInterval(rssTimer);
  sampleRss();

  const gaps = members.reduce((total, m) => total + missingOf(m), 0);
  const socketsWithGaps = members.filter((m) => missingOf(m) > 0).length;
  const sorted = [...storedSeqs].sort((a, b) => a - b);
  let seqHoles = 0;
  for (let i = 1; i < sorted.length; i++) seqHoles += sorted[i]! - sorted[i - 1]! - 1;
  const closedSockets = members.filter((m) => m.socket?.readyState !== WebSocket.OPEN).length;

  const bytes = rss.map((s) => s.bytes);
  const perMinute: string[] = [];
  for (let minute = 0; minute * 60_000 <= rss[rss.length - 1]!.at - rss[0]!.at; minute++) {
    const sample = rss.find((s) => s.at - rss[0]!.at >= minute * 60_000);
    if (sample) perMinute.push(`${minute} min: ${mib(sample.bytes)} MiB`);
  }
  const lines = [
    '# Soak',
    '',
    `Run ${new Date().toISOString()} with \`npm run soak -- --seconds ${SECONDS}\` on ${await machine()}.`,
    `Server: ${env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}${env.REDIS_URL ? ' + Redis' : ''}, one node as a child process (RATE_LIMITS=off).`,
    `${USERS} users in one group chat, one native socket each; ${RATE} messages/s over HTTP spread over them, at most ${IN_FLIGHT} in flight.`,
    '',
    '| figure | value |',
    '|---|---|',
    `| duration | ${sendSeconds.toFixed(1)} s |`,
    `| sent | ${sent} (${(sent / sendSeconds).toFixed(1)}/s; ${skipped} not made because ${IN_FLIGHT} were in flight) |`,
    `| acknowledged (200, stored) | ${acknowledged} |`,
    `| errors | ${errors}${errorKinds.size > 0 ? ` (${[...errorKinds].map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''} |`,
    `| gaps: acknowledged messages a socket missed | ${gaps} (over ${USERS} sockets; ${socketsWithGaps} sockets with gaps; ${acknowledged * USERS} deliveries expected) |`,
    `| gaps: holes in the chat's seq | ${seqHoles} |`,
    `| sockets closed during the soak | ${closedSockets} |`,
    `| RSS first / lowest / highest / last | ${mib(bytes[0]!)} / ${mib(Math.min(...bytes))} / ${mib(Math.max(...bytes))} / ${mib(bytes[bytes.length - 1]!)} MiB |`,
    `| RSS by minute | ${perMinute.join('; ')} |`,
    '',
  ];
  const report = lines.join('\n');
  console.log(report);
  const results = env.DATABASE_URL || env.REDIS_URL ? 'results-soak-postgres-redis.md' : 'results-soak.md';
  writeFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), results), report);
  if (errors > 0 || gaps > 0 || seqHoles > 0) process.exitCode = 1;
} finally {
  for (const member of members) member.socket?.terminate();
  await server.stop();
}
