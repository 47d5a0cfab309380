/**
 * Messages persisted per second on the embedded default (SQLite) with 50 concurrent senders;
 * the full set of figures is `npm run bench` (bench/run.ts).
 *
 *   npx tsx bench/messages.ts [seconds]
 */
import { machine, startParley } from './lib/server.js';
import { messagesPerSecond } from './scenarios/messages.js';

const seconds = Number(process.argv[2] ?? 10);
const server = await startParley();
try {
  const m = await messagesPerSecond(server.url, seconds);
  console.log(JSON.stringify({ ...m, persistedPerSecond: Math.round(m.perSecond), machine: await machine() }, null, 2));
} finally {
  await server.stop();
}
