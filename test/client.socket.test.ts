/**
 * The client's sockets against a real server: typed live events, acks, reconnect with backoff
 * that resumes from the last cursor (each missed event exactly once), no retry after
 * revocation, and public rooms.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { ParleyClient, type RoomMessage } from '../client/src/index.js';
import { clientServer, collect, until, type ClientServer } from './client-helpers.js';
import { startTcpProxy } from './tcp-proxy.js';

let s: ClientServer;
before(async () => {
  s = await clientServer();
});
after(() => s.t.destroy());

const fast = { backoff: { initialMs: 50, maxMs: 200 } };

test('without a WebSocket constructor (Node 20 has none), socket() says what to pass', async () => {
  const client = new ParleyClient({ baseUrl: s.url });
  assert.throws(() => client.socket(), /pass options.WebSocket/);
});

test('live typed events: message, auxiliary (typing), and acks of socket actions', async () => {
  const ann = await s.user();
  const bob = await s.user();
  const chat = await ann.createChat({ participants: [bob.id] });
  const socket = bob.socket();
  await socket.once('open');
  const messages = collect(socket, 'message');
  const typing = collect(socket, 'auxiliary');
  await ann.notify(chat.id, { name: 'typing_started' });
  const sent = await ann.sendMessage(chat.id, { text: 'live' });
  await until(() => messages.length === 1 && typing.length === 1, 5000, 'events');
  assert.equal(messages[0]?.id, sent.id);
  assert.equal(messages[0]?.author.id, ann.id);
  assert.deepEqual([typing[0]?.chatId, typing[0]?.name], [chat.id, 'typing_started']);
  assert.ok(socket.cursor !== undefined && socket.cursor > 0);
  const ack = await socket.act({ action: 'send', chatId: chat.id, localId: 'sock-1', text: 'over the socket' });
  assert.equal(ack.ok, true);
  assert.ok(ack.messageId);
  const bad = await socket.act({ action: 'send', chatId: chat.id, localId: 'sock-2', text: 'x'.repeat(3000) });
  assert.equal(bad.ok, false);
  socket.close();
});

test('a dropped connection comes back by itself and replays what was missed, exactly once', async () => {
  const ann = await s.user();
  const bob = await s.user();
  const chat = await ann.createChat({ participants: [bob.id] });
  const port = Number(new URL(s.url).port);
  const proxy = await startTcpProxy('127.0.0.1', port);
  const viaProxy = new ParleyClient({ baseUrl: `http://127.0.0.1:${proxy.port}`, token: bob.token!, WebSocket });
  const socket = viaProxy.socket(fast);
  const opens = collect(socket, 'open');
  const closes = collect(socket, 'close');
  const messages = collect(socket, 'message');
  await until(() => opens.length === 1, 5000, 'first open');
  await ann.sendMessage(chat.id, { text: 'before' });
  await until(() => messages.length === 1, 5000, 'the first message');
  const cursor = socket.cursor;

  await proxy.cut();
  await until(() => closes.length >= 1, 5000, 'the close');
  assert.notEqual(closes[0]?.retryInMs, null, 'a lost connection is retried');
  for (const text of ['while away 1', 'while away 2', 'while away 3']) await ann.sendMessage(chat.id, { text });
  await new Promise((r) => setTimeout(r, 300)); // a few refused attempts, with backoff
  await proxy.restore();
  await until(() => messages.length === 4, 10_000, 'the replay');
  assert.match(opens.at(-1)!.url, new RegExp(`[?&]since=${cursor}\\b`), 'the reconnect resumes from the last cursor');
  await ann.sendMessage(chat.id, { text: 'after' });
  await until(() => messages.length === 5, 5000, 'the live message after the replay');
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(
    messages.map((m) => m.text),
    ['before', 'while away 1', 'while away 2', 'while away 3', 'after'],
  );
  socket.close();
  await proxy.close();
});

test('pause() stays away until resume(), which catches up from the cursor', async () => {
  const ann = await s.user();
  const bob = await s.user();
  const chat = await ann.createChat({ participants: [bob.id] });
  const socket = bob.socket(fast);
  const messages = collect(socket, 'message');
  await socket.once('open');
  await ann.sendMessage(chat.id, { text: 'one' });
  await until(() => messages.length === 1);
  socket.pause();
  await socket.once('close');
  await ann.sendMessage(chat.id, { text: 'two' });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(socket.connected, false, 'a paused socket does not reconnect');
  assert.equal(messages.length, 1);
  socket.resume();
  await until(() => messages.length === 2, 5000, 'the catch-up');
  assert.deepEqual(
    messages.map((m) => m.text),
    ['one', 'two'],
  );
  socket.close();
});

test('a revoked session (4001) is not retried', async () => {
  const bob = await s.user();
  const socket = bob.socket(fast);
  await socket.once('open');
  const closed = socket.once('close');
  await bob.logout();
  const close = await closed;
  assert.equal(close.code, 4001);
  assert.equal(close.retryInMs, null);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(socket.connected, false);
});

test('rooms: a member posts, a read-only guest receives', async () => {
  const ann = await s.user();
  const room = `lobby${process.pid}`;
  const guest = new ParleyClient({ baseUrl: s.url, WebSocket }).joinRoom(room);
  const member = ann.joinRoom(room);
  await Promise.all([guest.once('open'), member.once('open')]);
  const seen: RoomMessage[] = [];
  guest.on('messages', (batch) => seen.push(...batch));
  assert.equal(member.say('hello room'), true);
  await until(() => seen.length === 1, 5000, 'the room message');
  assert.equal(seen[0]?.text, 'hello room');
  assert.equal(seen[0]?.sender.username, ann.username);
  assert.deepEqual(
    (await ann.roomMessages(room, { count: 5 })).map((m) => m.text),
    ['hello room'],
  );
  const closed = guest.once('close');
  guest.say('guests may not post');
  assert.equal((await closed).code, 1008);
  member.close();
});
