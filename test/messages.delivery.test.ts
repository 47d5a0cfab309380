/** Issue 19: delivery receipts by socket action and REST; the author hears of them, also after a reconnect (cursor replay). */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { client, problemOf, register, startApp, type Registered, type TestApp } from './helpers.js';
import { connect, listen } from './ws-helpers.js';

let t: TestApp;
let url: string;
let a: Registered, b: Registered, c: Registered;
before(async () => {
  t = await startApp();
  url = await listen(t);
  [a, b, c] = [await register(t.app), await register(t.app), await register(t.app)];
});
after(() => t.destroy());

it('records deliveredTo once per user and tells the author with messageDelivered, replayed after a reconnect', async () => {
  const A = client(t.app, a.token);
  const chatId = (await A('POST', '/chats', { title: 'D', participants: [b.id, c.id], isPersonal: false })).json().id;
  const sa = await connect(`${url}/ws?token=${a.token}`);
  const m = (await A('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: 'did you get it?' })).json();
  assert.deepEqual(m.deliveredTo, []);
  const [sent] = await sa.waitFor('message');
  sa.close();
  await sa.waitClosed();
  // The author is offline now; B confirms over the socket, C over REST.
  const sb = await connect(`${url}/ws?token=${b.token}`);
  sb.send({ action: 'delivered', chatId, messageId: m.id, requestId: 'd1' });
  const [ack] = await sb.waitFor('ack');
  assert.equal(ack!.payload.ok, true, JSON.stringify(ack));
  assert.equal(ack!.payload.action, 'delivered');
  sb.send({ action: 'delivered', chatId, messageId: m.id, requestId: 'd2' });
  await sb.waitFor('ack', 2);
  sb.close();
  const rest = await client(t.app, c.token)('PUT', `/chats/${chatId}/messages/${m.id}/delivered`);
  assert.equal(rest.statusCode, 200, rest.body);
  assert.deepEqual([...rest.json().deliveredTo].sort(), [b.id, c.id].sort());
  // Back online from its last cursor: two receipts, one per user.
  const back = await connect(`${url}/ws?token=${a.token}&since=${sent!.cursor}`);
  const receipts = await back.waitFor('messageDelivered', 2);
  assert.deepEqual(
    receipts.map((f) => [f.payload.chatId, f.payload.messageId, f.payload.userId]),
    [
      [chatId, m.id, b.id],
      [chatId, m.id, c.id],
    ],
  );
  assert.equal(typeof receipts[0]!.cursor, 'number');
  const [latest] = (await A('GET', `/chats/${chatId}/messages?count=1`)).json();
  assert.deepEqual([...latest.deliveredTo].sort(), [b.id, c.id].sort());
  back.close();
  // Outside the chat: 404; the author's own confirmation records nothing.
  const stranger = await register(t.app);
  problemOf(await client(t.app, stranger.token)('PUT', `/chats/${chatId}/messages/${m.id}/delivered`), 404);
  assert.equal((await A('PUT', `/chats/${chatId}/messages/${m.id}/delivered`)).json().deliveredTo.includes(a.id), false);
});
