// The bare baseline for GET /users/me: node:http answering the same JSON body (read from a
// file Parley's own answer was saved to), with no routing, auth or database: the limit.
//   node bench/baselines/http-json.mjs <port> <body.json>
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [port, file] = process.argv.slice(2);
const body = readFileSync(file);
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});
server.listen(Number(port), '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
