/**
 * Messages persisted per second on the embedded default (SQLite): 50 users in one group
 * chat, 50 concurrent connections, each request a new message (unique localId) from one of
 * the 50 senders. Counts what the store holds afterwards, not only what the client saw.
 *
 *   npx tsx bench/messages.ts [seconds]
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { call, machine, startParley } from './lib/server.js';

const seconds = Number(process.argv[2] ?? 10);
const SENDERS = 50;

const server = await startParley();
try {
  const users: Array<{ id: number; token: string }> = [];
  for (let i = 0; i < SENDERS; i++) {
    users.push(await call(`${server.url}/users`, { body: { name: `Sender ${i}`, username: `sender${i}`, password: 'bench password' } }));
  }
  const chat = await call(`${server.url}/chats`, {
    token: users[0]!.token,
    body: { title: 'Bench', participants: users.slice(1).map((u) => u.id), isPersonal: false },
  });
  const path = `/chats/${chat.id}/messages`;
  let n = 0;
  const result = await autocannon({
    url: server.url,
    connections: SENDERS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path,
        setupRequest: (req) => {
          const sender = users[n++ % SENDERS]!;
          return { ...req, headers: { 'content-type': 'application/json', authorization: `Bearer ${sender.token}` }, body: JSON.stringify({ localId: randomUUID(), text: `message ${n}` }) };
        },
      },
    ],
  });
  const [latest] = await call<Array<{ seq: number }>>(`${server.url}${path}?count=1`, { token: users[0]!.token });
  const stored = latest ? latest.seq : 0;
  const line = {
    seconds,
    senders: SENDERS,
    requestsOk: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    storedMessages: stored,
    persistedPerSecond: Math.round(stored / seconds),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
  };
  console.log(JSON.stringify(line, null, 2));
  const md = `# Message throughput (SQLite, 50 concurrent senders)

Run: ${new Date().toISOString()} on ${await machine()}.
Command: \`npm run bench:messages\` (\`npx tsx bench/messages.ts ${seconds}\`); the server runs as its own process with \`RATE_LIMITS=off\`.

| messages stored | seconds | persisted / s | p50 ms | p99 ms | non-2xx |
|---|---|---|---|---|---|
| ${stored} | ${seconds} | **${line.persistedPerSecond}** | ${line.latencyMs.p50} | ${line.latencyMs.p99} | ${line.non2xx} |
`;
  writeFileSync('bench/results-messages.md', md);
} finally {
  await server.stop();
}
