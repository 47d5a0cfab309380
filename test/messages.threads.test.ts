/** Issue 19, threads: replies in a message's thread, over REST and the native socket (cursor replay), searched, mentioned and pushed. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { basic, client, invalidNames, problemOf, register, startApp, type Registered, type TestApp } from './helpers.js';
import { eventually } from './push-stand-ins/tls.js';
import { chatOf, sendText, startPushFixture, userWithFcm, type PushFixture } from './push.helpers.js';
import { connect, listen, type Frame } from './ws-helpers.js';

describe('messages: threads', () => {
  let t: TestApp;
  let url: string;
  let a: Registered, b: Registered, c: Registered, d: Registered;
  let A: ReturnType<typeof client>, B: ReturnType<typeof client>, C: ReturnType<typeof client>, D: ReturnType<typeof client>;
  before(async () => {
    t = await startApp();
    url = await listen(t);
    [a, b, c, d] = [await register(t.app), await register(t.app), await register(t.app), await register(t.app)];
    [A, B, C, D] = [client(t.app, a.token), client(t.app, b.token), client(t.app, c.token), client(t.app, d.token)];
  });
  after(() => t.destroy());

  /** A group of A (owner), B and C. */
  const group = async () => (await A('POST', '/chats', { title: 'T', participants: [b.id, c.id], isPersonal: false })).json().id as string;
  const send = async (who: typeof A, chatId: string, text: string, extra: Record<string, unknown> = {}) => {
    const res = await who('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text, ...extra });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const thread = (who: typeof A, chatId: string, rootId: string, query = '') => who('GET', `/chats/${chatId}/messages/${rootId}/thread${query}`);
  const ids = (list: Array<{ id: string }>) => list.map((m) => m.id);
  const sendRaw = (who: typeof A, chatId: string, extra: Record<string, unknown>) =>
    who('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: 'x', ...extra });

  it('keeps thread replies out of the main history, pages the thread newest first, and sums the replies of several users on the root', async () => {
    const chatId = await group();
    const root = await send(A, chatId, 'root');
    const later = await send(A, chatId, 'later in the main history');
    assert.equal(root.thread, undefined, 'no summary without replies');
    const r1 = await send(B, chatId, 'first reply', { threadId: root.id });
    assert.equal((await C('GET', `/chats/${chatId}`)).json().unreadCount, 2, 'the two main-history messages by A, not B’s reply');
    const r2 = await send(C, chatId, 'second reply', { threadId: root.id });
    // A reply inside the thread to a thread reply is fine.
    const r3 = await send(B, chatId, 'third reply', { threadId: root.id, replyTo: r1.id });
    assert.equal(r1.threadId, root.id);
    assert.equal(r1.thread, undefined);
    assert.equal(r3.replyTo.id, r1.id);
    assert.ok(r1.seq > later.seq && r2.seq > r1.seq && r3.seq > r2.seq, 'replies take the chat’s seqs');

    // The main history: no thread replies; the root with its summary.
    const history = (await B('GET', `/chats/${chatId}/messages?count=50`)).json();
    assert.deepEqual(ids(history), [later.id, root.id]);
    assert.deepEqual(history[1].thread, { count: 3, lastReplyAt: r3.createdAt, participants: [b.id, c.id] });
    assert.equal(history[0].thread, undefined);
    // The chat's last message is of the main history; thread replies are not unread.
    const chat = (await A('GET', `/chats/${chatId}`)).json();
    assert.equal(chat.lastMessage.id, later.id);
    assert.equal(chat.unreadCount, 0);

    // The thread, newest first like the main history, paged by count and before.
    const all = await thread(C, chatId, root.id);
    assert.equal(all.statusCode, 200, all.body);
    assert.deepEqual(ids(all.json()), [r3.id, r2.id, r1.id]);
    assert.ok(all.json().every((m: { threadId: string }) => m.threadId === root.id));
    assert.deepEqual(ids((await thread(C, chatId, root.id, '?count=2')).json()), [r3.id, r2.id]);
    assert.deepEqual(ids((await thread(C, chatId, root.id, `?count=2&before=${r2.id}`)).json()), [r1.id]);
    assert.deepEqual((await thread(C, chatId, root.id, `?before=${r1.id}`)).json(), []);
    assert.deepEqual((await thread(A, chatId, later.id)).json(), [], 'a message without replies has an empty thread');

    // Deleting a reply updates the summary; the reply stays in the thread as a tombstone.
    assert.equal((await C('DELETE', `/chats/${chatId}/messages/${r2.id}`)).statusCode, 200);
    const [, rootNow] = (await A('GET', `/chats/${chatId}/messages?count=2`)).json();
    assert.deepEqual(rootNow.thread, { count: 2, lastReplyAt: r3.createdAt, participants: [b.id] });
    const afterDelete = (await thread(A, chatId, root.id)).json();
    assert.deepEqual(ids(afterDelete), [r3.id, r2.id, r1.id]);
    assert.ok(afterDelete[1].deletedAt);
    // A deleted root keeps its replies and its summary, but takes no new ones.
    assert.equal((await A('DELETE', `/chats/${chatId}/messages/${root.id}`)).statusCode, 200);
    assert.deepEqual(ids((await thread(B, chatId, root.id)).json()), [r3.id, r2.id, r1.id]);
    assert.equal((await A('GET', `/chats/${chatId}/messages?count=2`)).json()[1].thread.count, 2);
    assert.deepEqual(invalidNames(await sendRaw(B, chatId, { threadId: root.id })), ['threadId']);
  });

  it('sends a message with threadId to members and a messageUpdate of the root; both replayed by cursor', async () => {
    const chatId = await group();
    const root = await send(B, chatId, 'talk about it here');
    const sb = await connect(`${url}/ws?token=${b.token}`);
    const sa = await connect(`${url}/ws?token=${a.token}`);
    // Over the socket's send action…
    sa.send({ action: 'send', chatId, localId: randomUUID(), text: 'over the socket', threadId: root.id, requestId: 's1' });
    const [ack] = await sa.waitFor('ack');
    assert.equal(ack!.payload.ok, true, JSON.stringify(ack));
    // …and over REST.
    const viaRest = await send(C, chatId, 'over REST', { threadId: root.id });
    await C('DELETE', `/chats/${chatId}/messages/${viaRest.id}`);
    const relevant = (f: Frame) => f.event === 'message' || f.event === 'messageUpdate';
    const live = await sb.until(() => sb.frames.filter(relevant).length >= 6 && (sb.frames.filter(relevant) as Frame[]), 5000, '6 message frames');
    assert.deepEqual(
      live.map((f) => [f.event, f.payload.id === root.id ? 'root' : 'reply']),
      [
        ['message', 'reply'],
        ['messageUpdate', 'root'],
        ['message', 'reply'],
        ['messageUpdate', 'root'],
        ['messageUpdate', 'reply'],
        ['messageUpdate', 'root'],
      ],
    );
    assert.equal(live[0]!.payload.threadId, root.id);
    assert.equal(live[0]!.payload.id, ack!.payload.messageId);
    assert.equal(live[2]!.payload.threadId, root.id);
    assert.deepEqual(
      [1, 3, 5].map((i) => live[i]!.payload.thread),
      [
        { count: 1, lastReplyAt: live[0]!.payload.createdAt, participants: [a.id] },
        { count: 2, lastReplyAt: viaRest.createdAt, participants: [a.id, c.id] },
        { count: 1, lastReplyAt: live[0]!.payload.createdAt, participants: [a.id] },
      ],
    );
    sa.close();
    sb.close();
    // Replayed by cursor: the same frames in the same order, but for the deleted reply's own
    // `message` (deleting a message deletes its logged events, as anywhere).
    const back = await connect(`${url}/ws?token=${b.token}&since=${live[0]!.cursor! - 1}`);
    const replayed = await back.until(() => back.frames.filter(relevant).length >= 5 && (back.frames.filter(relevant) as Frame[]), 5000, 'replay');
    assert.deepEqual(
      replayed.map((f) => f.cursor),
      live.filter((_, i) => i !== 2).map((f) => f.cursor),
    );
    assert.equal(replayed[0]!.payload.threadId, root.id);
    assert.deepEqual(replayed[1]!.payload.thread, live[1]!.payload.thread);
    back.close();
  });

  it('400 on threadId for a root of another chat, unknown, deleted, hidden by another user or itself a reply; replyTo stays in its context', async () => {
    const chatId = await group();
    const other = await group();
    const elsewhere = await send(A, other, 'elsewhere');
    const root = await send(A, chatId, 'root');
    const reply = await send(B, chatId, 'reply', { threadId: root.id });
    const hidden = await send(B, chatId, 'hidden', { isVisible: false });
    const gone = await send(A, chatId, 'gone');
    await A('DELETE', `/chats/${chatId}/messages/${gone.id}`);
    for (const threadId of [elsewhere.id, randomUUID(), gone.id, hidden.id, reply.id]) {
      assert.deepEqual(invalidNames(await sendRaw(A, chatId, { threadId })), ['threadId'], threadId);
    }
    assert.deepEqual(invalidNames(await sendRaw(A, chatId, { threadId: 'not-a-uuid' })), ['threadId']);
    assert.equal((await sendRaw(B, chatId, { threadId: hidden.id })).statusCode, 200, 'its author sees the hidden root');
    // Inside a thread replyTo is the root or one of its replies; in the main history not a thread reply.
    const second = await send(A, chatId, 'another root');
    assert.deepEqual(invalidNames(await sendRaw(A, chatId, { threadId: second.id, replyTo: reply.id })), ['replyTo']);
    assert.deepEqual(invalidNames(await sendRaw(A, chatId, { replyTo: reply.id })), ['replyTo']);
    assert.equal((await sendRaw(A, chatId, { threadId: root.id, replyTo: root.id })).statusCode, 200);
    // Over the socket too.
    const s = await connect(`${url}/ws?token=${a.token}`);
    s.send({ action: 'send', chatId, localId: randomUUID(), text: 'x', threadId: reply.id, requestId: 'r1' });
    const [ack] = await s.waitFor('ack');
    assert.equal(ack!.payload.ok, false);
    assert.equal(ack!.payload.error, 'validation');
    s.close();
    // Nothing of these went into the thread.
    assert.deepEqual((await thread(A, chatId, second.id)).json(), []);
  });

  it('404 for a chat the caller is not in, a message of another chat or unknown, a root hidden by another user; 400 for a reply as root or a foreign before', async () => {
    const chatId = await group();
    const other = await group();
    const root = await send(A, chatId, 'root');
    const reply = await send(B, chatId, 'reply', { threadId: root.id });
    const otherRoot = await send(A, chatId, 'other root');
    const otherReply = await send(B, chatId, 'other reply', { threadId: otherRoot.id });
    const hidden = await send(B, chatId, 'hidden', { isVisible: false });
    problemOf(await thread(D, chatId, root.id), 404);
    problemOf(await thread(A, other, root.id), 404);
    problemOf(await thread(A, chatId, randomUUID()), 404);
    problemOf(await thread(A, chatId, hidden.id), 404);
    assert.equal((await thread(B, chatId, hidden.id)).statusCode, 200, 'its author reads it');
    problemOf(await thread(D, chatId, root.id, `?before=${reply.id}`), 404);
    problemOf(await thread(A, chatId, root.id, `?before=${randomUUID()}`), 404);
    assert.deepEqual(invalidNames(await thread(A, chatId, reply.id)), ['messageId']);
    assert.deepEqual(invalidNames(await thread(A, chatId, root.id, `?before=${otherReply.id}`)), ['before']);
    assert.deepEqual(invalidNames(await thread(A, chatId, root.id, `?before=${otherRoot.id}`)), ['before']);
    assert.deepEqual(invalidNames(await thread(A, chatId, root.id, '?count=0')), ['count']);
    assert.deepEqual(invalidNames(await thread(A, chatId, 'nope')), ['messageId']);
    // A stranger cannot post in the thread either.
    problemOf(await sendRaw(D, chatId, { threadId: root.id }), 404);
    // A member the owner blocked may not read it, as for the main history.
    assert.equal((await A('PUT', `/chats/${chatId}/users/${c.id}/block`)).statusCode, 200);
    problemOf(await thread(C, chatId, root.id), 403);
    problemOf(await C('GET', `/chats/${chatId}/messages`), 403);
    assert.equal((await t.app.inject({ method: 'GET', url: `/chats/${chatId}/messages/${root.id}/thread` })).statusCode, 401);
  });

  it('a moderator’s delete of a reply updates the root’s summary too', async () => {
    const chatId = await group();
    const root = await send(B, chatId, 'root');
    const reply = await send(C, chatId, 'off topic', { threadId: root.id });
    const deleted = await A('DELETE', `/chats/${chatId}/messages/${reply.id}`);
    assert.equal(deleted.statusCode, 200, deleted.body);
    assert.equal(deleted.json().deletedBy, a.id);
    const [latest] = (await B('GET', `/chats/${chatId}/messages?count=1`)).json();
    assert.equal(latest.id, root.id);
    assert.equal(latest.thread, undefined, 'no replies left');
  });

  it('moves the replies into the main history when the root goes with its author’s account', async () => {
    const e = await register(t.app);
    const chatId = (await A('POST', '/chats', { title: 'E', participants: [b.id, e.id], isPersonal: false })).json().id as string;
    const root = await send(client(t.app, e.token), chatId, 'by e');
    const reply = await send(B, chatId, 'by b', { threadId: root.id });
    assert.deepEqual(ids((await A('GET', `/chats/${chatId}/messages`)).json()), [root.id]);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/users/me', headers: basic(e.username, e.password) })).statusCode, 200);
    const history = (await A('GET', `/chats/${chatId}/messages`)).json();
    assert.deepEqual(ids(history), [reply.id]);
    assert.equal(history[0].threadId, undefined);
  });

  it('searches thread replies and resolves their mentions as in any send', async () => {
    const chatId = await group();
    const root = await send(A, chatId, 'root of the quokka thread');
    const word = `zyx${randomUUID().slice(0, 8)}`;
    const reply = await send(B, chatId, `the ${word} is here @${c.username}`, { threadId: root.id });
    assert.deepEqual(reply.mentions, [c.id]);
    const found = await C('GET', `/search/messages?q=${word}`);
    assert.equal(found.statusCode, 200, found.body);
    const results = found.json().results;
    assert.deepEqual(
      results.map((r: { message: { id: string } }) => r.message.id),
      [reply.id],
    );
    assert.equal(results[0].message.threadId, root.id);
    const mentions = (await C('GET', '/users/me/mentions')).json();
    assert.equal(mentions[0].id, reply.id);
    assert.equal(mentions[0].threadId, root.id);
  });
});

describe('messages: threads and push', () => {
  let f: PushFixture;
  before(async () => {
    f = await startPushFixture();
  });
  after(() => f?.close());
  const fcmFor = (token: string) => f.fcm.received.filter((p) => p.message.token === token);

  it('pushes a thread reply like any message, honouring the notification level', async () => {
    const a = await userWithFcm(f.t);
    const b = await userWithFcm(f.t);
    const chatId = await chatOf(f.t, a, b);
    const root = await sendText(f.t, a, chatId, 'the root');
    const reply = (text: string) => client(f.t.app, a.token)('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text, threadId: root.id });
    assert.equal((await reply('in the thread')).statusCode, 200);
    await eventually(() => fcmFor(b.pushToken).length === 2, 'two pushes');
    assert.equal((await client(f.t.app, b.token)('PUT', `/chats/${chatId}/settings`, { notify: 'mentions' })).statusCode, 200);
    assert.equal((await reply('quiet')).statusCode, 200);
    assert.equal((await reply(`@${b.username} loud`)).statusCode, 200);
    await eventually(() => fcmFor(b.pushToken).length === 3, 'the mention pushes');
    // The outbox works in order: had "quiet" been queued, it would have gone before the mention.
    await eventually(async () => (await f.t.app.core.ports.store.push.pending()) === 0, 'an empty outbox');
    assert.deepEqual(
      fcmFor(b.pushToken).map((p) => p.message.notification.body),
      ['the root', 'in the thread', `@${b.username} loud`],
    );
    assert.equal(fcmFor(a.pushToken).length, 0, 'the author gets none');
  });
});
