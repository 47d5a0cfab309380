/**
 * `npm run bench:me`: GET /users/me on Parley (embedded default) against an empty Fastify route
 * and a bare node:http server answering the same body, in alternating rounds: the section
 * `npm run bench` writes, on its own (about 3 × 3 × seconds).
 *
 *   npm run bench:me -- [rounds=3] [seconds=8]
 */
import { loadavg } from 'node:os';
import { call, machine, startParley } from './lib/server.js';
import { usersMeSection, usersMeVersusBare } from './scenarios/http.js';

const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 8);
const parley = await startParley();
try {
  const user = await call(`${parley.url}/users`, { body: { name: 'Me', username: 'bench_me', password: 'bench password' } });
  const before = loadavg()[0]!;
  const rows = await usersMeVersusBare(parley.url, parley.pid, user.token, rounds, seconds);
  console.log(`\n${new Date().toISOString()} on ${await machine()}; load average ${before.toFixed(1)} before the run\n`);
  console.log(usersMeSection('SQLite', rows, seconds).join('\n'));
} finally {
  await parley.stop();
}
