// The bare baseline for room fan-out: a `ws` server that sends every text frame it receives
// to every connected socket, in the same shape Parley's rooms send ([{id, sender, text,
// createTime}]), serialised once per message. No auth, no storage: the physical limit.
//   node bench/baselines/ws-broadcast.mjs <port>
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? 0);
const server = new WebSocketServer({ host: '127.0.0.1', port });
let id = 0;
server.on('connection', (socket) => {
  socket.on('message', (data) => {
    const { text } = JSON.parse(String(data));
    const frame = JSON.stringify([{ id: ++id, sender: { id: 1, username: 'writer' }, text, createTime: Math.floor(Date.now() / 1000) }]);
    for (const client of server.clients) client.send(frame);
  });
});
server.on('listening', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
