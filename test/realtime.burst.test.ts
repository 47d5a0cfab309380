/**
 * A client flushing its offline queue in one burst is slowed down, not cut off: 1,000 room
 * frames sent at once reach 50 readers in full and in order with the writer still open, and
 * 300 native `send` actions sent at once are all acked `ok` and stored in the order sent.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from './helpers.js';
import { chatHistory, http, registerOn, type RemoteUser } from './server-process.js';
import { connect, listen, type TestSocket } from './ws-helpers.js';

const texts = (socket: TestSocket): string[] => socket.frames.flatMap((batch: Array<{ text: string }>) => batch.map((m) => m.text));

describe('a burst of 1,000 room frames', () => {
  let t: TestApp;
  let ws: string;
  let writerUser: RemoteUser;
  const sockets: TestSocket[] = [];
  before(async () => {
    // 200 a second, bursts of 400: the rest of the 1,000 waits about three seconds for its turn.
    t = await startApp({ WS_MAX_FRAMES_PER_SECOND: '200' });
    ws = await listen(t);
    writerUser = await registerOn(ws.replace('ws:', 'http:'), 'burst');
  });
  after(async () => {
    for (const s of sockets) s.ws.terminate();
    await t.destroy();
  });

  it('reaches 50 readers in full, in order, with the writer still open', async () => {
    const room = `burst${process.pid}`;
    const readers = await Promise.all(Array.from({ length: 50 }, () => connect(`${ws}/api/v1/rooms/${room}/ws`)));
    const writer = await connect(`${ws}/api/v1/rooms/${room}/messages/ws`, [writerUser.token]);
    sockets.push(...readers, writer);
    const sent = Array.from({ length: 1000 }, (_, i) => `burst ${i}`);
    for (const text of sent) writer.send({ text });

    // The writer is a member too: its own copy of the last message means every one was stored.
    await writer.until(() => texts(writer).length >= 1000 || writer.closed, 30_000, 'the writer’s own 1,000');
    assert.equal(writer.closed, undefined, `the writer is open (closed: ${JSON.stringify(writer.closed)})`);
    for (const reader of readers) await reader.until(() => texts(reader).length >= 1000 || reader.closed, 10_000, 'the 1,000 messages');
    for (const [i, reader] of readers.entries()) {
      assert.equal(reader.closed, undefined, `reader ${i} open`);
      assert.deepEqual(texts(reader), sent, `reader ${i} got every message once, in order`);
    }

    // Still a working socket: one more frame goes through.
    writer.send({ text: 'after the burst' });
    await readers[0]!.until(() => texts(readers[0]!).at(-1) === 'after the burst', 5000, 'the frame after the burst');
    const history = await http(`${ws.replace('ws:', 'http:')}/api/v1/messages?room=${room}&count=200`);
    assert.deepEqual(history.body.data.map((m: { text: string }) => m.text).reverse(), [...sent.slice(-199), 'after the burst']);
  });
});

describe('a burst of 300 native send actions', () => {
  let t: TestApp;
  let ws: string;
  let base: string;
  let alice: RemoteUser, bob: RemoteUser;
  let chatId: string;
  const sockets: TestSocket[] = [];
  before(async () => {
    // The default rate: 50 a second, bursts of 100; the last of the 300 waits about four seconds.
    t = await startApp();
    ws = await listen(t);
    base = ws.replace('ws:', 'http:');
    alice = await registerOn(base, 'sender');
    bob = await registerOn(base, 'peer');
    const chat = await http(`${base}/chats`, { token: alice.token, body: { participants: [bob.id] } });
    assert.equal(chat.status, 200, JSON.stringify(chat.body));
    chatId = chat.body.id;
  });
  after(async () => {
    for (const s of sockets) s.ws.terminate();
    await t.destroy();
  });

  it('acks every one ok and stores them in the order sent (seq order)', async () => {
    const socket = await connect(`${ws}/ws?token=${alice.token}`);
    sockets.push(socket);
    const localIds = Array.from({ length: 300 }, () => randomUUID());
    for (const [i, localId] of localIds.entries()) socket.send({ action: 'send', chatId, localId, text: `queued ${i}`, requestId: String(i) });

    await socket.until(() => socket.of('ack').length >= 300 || socket.closed, 30_000, '300 acks');
    assert.equal(socket.closed, undefined, `the socket is open (closed: ${JSON.stringify(socket.closed)})`);
    const acks = socket.of('ack').map((f) => f.payload);
    assert.deepEqual(
      acks.filter((a) => !a.ok),
      [],
      'no action failed',
    );
    assert.deepEqual(
      acks.map((a) => a.requestId),
      localIds.map((_, i) => String(i)),
      'acked in the order sent',
    );
    assert.deepEqual(
      acks.map((a) => a.localId),
      localIds,
    );
    assert.ok(acks.every((a) => a.action === 'send'));
    const seqs = acks.map((a) => a.seq as number);
    assert.deepEqual(
      seqs,
      [...seqs].sort((x, y) => x - y),
      'seqs increase in the order sent',
    );
    assert.equal(new Set(seqs).size, 300);

    const stored = await chatHistory<{ id: number; seq: number; text: string; localId: string }>(base, alice.token, chatId);
    assert.deepEqual(
      stored.map((m) => m.text),
      localIds.map((_, i) => `queued ${i}`),
      'stored once each, in order',
    );
    assert.deepEqual(
      stored.map((m) => m.id),
      acks.map((a) => a.messageId),
    );
  });
});
