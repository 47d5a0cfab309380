// The framework floor for GET /users/me: Fastify with Parley's per-request options (a pino
// logger at `warn`, so one child logger per request, and a generated request id) and one
// route sending the same JSON text, with no hooks, auth, validation or database. What Parley
// spends above this is its own; what this spends above bare node:http is Fastify's.
//   node bench/baselines/fastify-json.mjs <port> <body.json> [--no-logger]
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [port, file, flag] = process.argv.slice(2);
const body = readFileSync(file, 'utf8');
const app = Fastify({
  logger: flag === '--no-logger' ? false : { level: 'warn', stream: { write() {} } },
  requestIdHeader: false,
  genReqId: () => randomUUID(),
});
app.get('/users/me', (_request, reply) => {
  reply.type('application/json; charset=utf-8').send(body);
});
await app.listen({ port: Number(port), host: '127.0.0.1' });
console.log(`listening ${app.server.address().port}`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
