/** Issue 19: reactions, replies, edit history and pins, over REST and the native socket (cursor replay). */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { client, invalidNames, problemOf, register, startApp, type Registered, type TestApp } from './helpers.js';
import { connect, listen } from './ws-helpers.js';

describe('messages: reactions, replies, edit history, pins', () => {
  let t: TestApp;
  let url: string;
  let a: Registered, b: Registered, c: Registered;
  let A: ReturnType<typeof client>, B: ReturnType<typeof client>, C: ReturnType<typeof client>;
  before(async () => {
    t = await startApp();
    url = await listen(t);
    [a, b, c] = [await register(t.app), await register(t.app), await register(t.app)];
    [A, B, C] = [client(t.app, a.token), client(t.app, b.token), client(t.app, c.token)];
  });
  after(() => t.destroy());

  const group = async (...others: number[]) =>
    (await A('POST', '/chats', { title: 'X', participants: others.length ? others : [b.id], isPersonal: false })).json().id as string;
  const send = async (who: typeof A, chatId: string, text: string, extra: Record<string, unknown> = {}) => {
    const res = await who('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text, ...extra });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const react = (who: typeof A, chatId: string, id: string, emoji: string, method: 'PUT' | 'DELETE' = 'PUT') =>
    who(method, `/chats/${chatId}/messages/${id}/reactions/${encodeURIComponent(emoji)}`);

  describe('reactions', () => {
    it('adds and removes idempotently, with counts, me and first-use order, as messageUpdate events replayed by cursor', async () => {
      const chatId = await group();
      const m = await send(A, chatId, 'react to me');
      assert.deepEqual(m.reactions, []);
      const sb = await connect(`${url}/ws?token=${b.token}`);
      const first = await react(A, chatId, m.id, '👍');
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(first.json().reactions, [{ emoji: '👍', count: 1, me: true }]);
      assert.deepEqual((await react(A, chatId, m.id, '👍')).json().reactions, [{ emoji: '👍', count: 1, me: true }], 'idempotent');
      assert.deepEqual((await react(B, chatId, m.id, ':party_parrot:')).json().reactions, [
        { emoji: '👍', count: 1, me: false },
        { emoji: ':party_parrot:', count: 1, me: true },
      ]);
      assert.deepEqual((await react(B, chatId, m.id, '👍')).json().reactions, [
        { emoji: '👍', count: 2, me: true },
        { emoji: ':party_parrot:', count: 1, me: true },
      ]);
      assert.deepEqual((await react(B, chatId, m.id, '👍', 'DELETE')).json().reactions, [
        { emoji: '👍', count: 1, me: false },
        { emoji: ':party_parrot:', count: 1, me: true },
      ]);
      assert.equal((await react(B, chatId, m.id, '👍', 'DELETE')).statusCode, 200, 'removing twice is fine');
      // A family emoji (one grapheme of several code points) is one emoji.
      assert.equal((await react(A, chatId, m.id, '👨‍👩‍👧')).statusCode, 200);
      // Five changes made events (the repeated add and remove made none); each as B sees it.
      const frames = await sb.until(() => sb.of('messageUpdate').length >= 5 && sb.of('messageUpdate'), 5000, '5 updates');
      assert.deepEqual(frames.at(-1)!.payload.reactions.at(-1), { emoji: '👨‍👩‍👧', count: 1, me: false });
      assert.deepEqual(frames[0]!.payload.reactions, [{ emoji: '👍', count: 1, me: false }]);
      assert.deepEqual(frames[1]!.payload.reactions[1], { emoji: ':party_parrot:', count: 1, me: true });
      sb.close();
      // Replayed by cursor, with B's own `me`.
      const back = await connect(`${url}/ws?token=${b.token}&since=${frames[0]!.cursor! - 1}`);
      const replayed = await back.until(() => back.of('messageUpdate').length >= 5 && back.of('messageUpdate'), 5000, 'replay');
      assert.deepEqual(
        replayed.map((f) => f.cursor),
        frames.map((f) => f.cursor),
      );
      assert.equal(sb.of('messageUpdate').length, 5, 'no event for the repeated add and remove');
      assert.deepEqual(replayed[2]!.payload.reactions[0], { emoji: '👍', count: 2, me: true });
      back.close();
      // The history shows them too, with the caller's me.
      const [latest] = (await A('GET', `/chats/${chatId}/messages?count=1`)).json();
      assert.deepEqual(latest.reactions, [
        { emoji: '👍', count: 1, me: true },
        { emoji: ':party_parrot:', count: 1, me: false },
        { emoji: '👨‍👩‍👧', count: 1, me: true },
      ]);
    });

    it('refuses what is not one emoji or a short :shortcode:, and past 20 distinct', async () => {
      const chatId = await group();
      const m = await send(A, chatId, 'limits');
      for (const bad of ['ab', '👍👍', 'a', `:${'x'.repeat(31)}:`, '::', ':no spaces:']) {
        assert.deepEqual(invalidNames(await react(A, chatId, m.id, bad)), ['emoji'], bad);
      }
      assert.equal((await react(A, chatId, m.id, `:${'x'.repeat(30)}:`)).statusCode, 200, '32 characters fit');
      const emoji = ['😀', '😃', '😄', '😁', '😆', '😅', '😂', '🤣', '😊', '😇', '🙂', '🙃', '😉', '😌', '😍', '🥰', '😘', '😗', '😙'];
      for (const e of emoji) assert.equal((await react(A, chatId, m.id, e)).statusCode, 200);
      assert.deepEqual(invalidNames(await react(B, chatId, m.id, '🔥')), ['emoji'], 'a 21st distinct reaction');
      const again = await react(B, chatId, m.id, '😀');
      assert.equal(again.statusCode, 200, 'an existing one still takes more users');
      assert.equal(again.json().reactions.length, 20);
    });

    it('counts 20 users reacting at once exactly', async () => {
      const users = await Promise.all(Array.from({ length: 20 }, () => register(t.app)));
      const chatId = await group(...users.slice(0, 10).map((u) => u.id));
      await A('POST', `/chats/${chatId}/users`, { users: users.slice(10).map((u) => u.id) });
      const m = await send(A, chatId, 'crowd');
      const results = await Promise.all(users.map((u) => react(client(t.app, u.token), chatId, m.id, '🎉')));
      assert.ok(
        results.every((r) => r.statusCode === 200),
        results.map((r) => r.body).join('\n'),
      );
      const twice = await Promise.all(users.map((u) => react(client(t.app, u.token), chatId, m.id, '🎉')));
      assert.ok(twice.every((r) => r.statusCode === 200));
      const [latest] = (await A('GET', `/chats/${chatId}/messages?count=1`)).json();
      assert.deepEqual(latest.reactions, [{ emoji: '🎉', count: 20, me: false }]);
    });

    it('concurrent changes (written together, in one transaction): the 20-emoji limit holds exactly, each real change is one event', async () => {
      const chatId = await group();
      const m = await send(A, chatId, 'many at once');
      const sb = await connect(`${url}/ws?token=${b.token}`);
      const emoji = [...'😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😗😙🤩🥳😎🤓🧐🤠'];
      assert.equal(emoji.length, 25);
      const adds = await Promise.all(emoji.map((e) => react(A, chatId, m.id, e)));
      assert.equal(adds.filter((r) => r.statusCode === 200).length, 20, adds.map((r) => r.body).join('\n'));
      for (const refused of adds.filter((r) => r.statusCode !== 200)) assert.deepEqual(invalidNames(refused), ['emoji']);
      // Removing all 25 (five were never there) and a new reaction of B's, all at once.
      const mixed = await Promise.all([...emoji.map((e) => react(A, chatId, m.id, e, 'DELETE')), react(B, chatId, m.id, '👍')]);
      assert.ok(mixed.every((r) => r.statusCode === 200));
      // A last change after them all: once its frame is in, every earlier frame is too.
      assert.equal((await react(A, chatId, m.id, '🔥')).statusCode, 200);
      const frames = await sb.until(
        () => sb.of('messageUpdate').some((f) => f.payload.reactions.some((r: { emoji: string }) => r.emoji === '🔥')) && sb.of('messageUpdate'),
        10000,
        'the last change',
      );
      assert.equal(frames.length, 20 + 20 + 1 + 1, 'one frame per real change, none for the refused adds or the removals of nothing');
      assert.deepEqual(frames.at(-1)!.payload.reactions, [
        { emoji: '👍', count: 1, me: true },
        { emoji: '🔥', count: 1, me: false },
      ]);
      sb.close();
      const [latest] = (await A('GET', `/chats/${chatId}/messages?count=1`)).json();
      assert.deepEqual(latest.reactions, [
        { emoji: '👍', count: 1, me: false },
        { emoji: '🔥', count: 1, me: true },
      ]);
    });

    it('404 for a chat the caller is not in and for a message of another chat; 400 for a deleted message', async () => {
      const chatId = await group();
      const other = await group();
      const m = await send(A, chatId, 'mine');
      problemOf(await react(C, chatId, m.id, '👍'), 404);
      problemOf(await react(A, other, m.id, '👍'), 404);
      problemOf(await react(A, chatId, randomUUID(), '👍'), 404);
      await A('DELETE', `/chats/${chatId}/messages/${m.id}`);
      assert.deepEqual(invalidNames(await react(B, chatId, m.id, '👍')), ['messageId']);
    });
  });

  describe('replies', () => {
    it('carries replyTo {id, authorId, first 200 characters, isVisible}, in the send, the history and the event', async () => {
      const chatId = await group();
      const long = 'é'.repeat(150) + 'x'.repeat(100);
      const root = await send(B, chatId, long);
      const sa = await connect(`${url}/ws?token=${a.token}`);
      const reply = await send(A, chatId, 'answer', { replyTo: root.id });
      assert.deepEqual(reply.replyTo, { id: root.id, authorId: b.id, text: long.slice(0, 200), isVisible: true });
      const [frame] = await sa.waitFor('message');
      assert.deepEqual(frame!.payload.replyTo, reply.replyTo);
      sa.close();
      const [latest] = (await B('GET', `/chats/${chatId}/messages?count=1`)).json();
      assert.deepEqual(latest.replyTo, reply.replyTo);
      // Once the original is deleted, the reply says so.
      await B('DELETE', `/chats/${chatId}/messages/${root.id}`);
      const [after] = (await B('GET', `/chats/${chatId}/messages?count=1`)).json();
      assert.deepEqual(after.replyTo, { id: root.id, authorId: b.id, text: '', isVisible: false });
      assert.equal(reply.text, 'answer');
      assert.match(reply.id, /^[0-9a-f-]{36}$/);
    });

    it('400 for a reply to a message of another chat, a hidden one of another user or a deleted one; over the socket too', async () => {
      const chatId = await group();
      const other = await group();
      const elsewhere = await send(A, other, 'elsewhere');
      assert.deepEqual(invalidNames(await A('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: 'x', replyTo: elsewhere.id })), ['replyTo']);
      const hidden = await send(B, chatId, 'hidden', { isVisible: false });
      assert.deepEqual(invalidNames(await A('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: 'x', replyTo: hidden.id })), ['replyTo']);
      assert.equal(
        (await B('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: 'x', replyTo: hidden.id })).statusCode,
        200,
        'its author sees it',
      );
      assert.deepEqual(invalidNames(await A('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: 'x', replyTo: randomUUID() })), ['replyTo']);
      assert.deepEqual(invalidNames(await A('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: 'x', replyTo: 'one' })), ['replyTo']);
      const s = await connect(`${url}/ws?token=${a.token}`);
      s.send({ action: 'send', chatId, localId: randomUUID(), text: 'x', replyTo: elsewhere.id, requestId: 'r1' });
      const [ack] = await s.waitFor('ack');
      assert.equal(ack!.payload.ok, false);
      assert.equal(ack!.payload.error, 'validation');
      const root = await send(B, chatId, 'root');
      s.send({ action: 'send', chatId, localId: randomUUID(), text: 'ok', replyTo: root.id, requestId: 'r2' });
      await s.waitFor('ack', 2);
      assert.equal(s.of('ack')[1]!.payload.ok, true);
      s.close();
      const [latest] = (await A('GET', `/chats/${chatId}/messages?count=1`)).json();
      assert.equal(latest.replyTo.id, root.id);
    });
  });

  describe('edit history', () => {
    it('keeps every earlier text, newest first, for members; a deleted message has none', async () => {
      const chatId = await group();
      const m = await send(A, chatId, 'one');
      assert.deepEqual((await A('GET', `/chats/${chatId}/messages/${m.id}/history`)).json(), []);
      for (const text of ['two', 'three', 'four']) assert.equal((await A('PUT', `/chats/${chatId}/messages/${m.id}`, { text })).statusCode, 200);
      // Flags alone are no edit of the text.
      await A('PUT', `/chats/${chatId}/messages/${m.id}`, { fileExists: true });
      const res = await B('GET', `/chats/${chatId}/messages/${m.id}/history`);
      assert.equal(res.statusCode, 200);
      const history = res.json();
      assert.deepEqual(
        history.map((h: any) => h.text),
        ['three', 'two', 'one'],
      );
      assert.ok(history.every((h: any) => !Number.isNaN(Date.parse(h.editedAt))));
      assert.ok(Date.parse(history[0].editedAt) >= Date.parse(history[2].editedAt));
      problemOf(await C('GET', `/chats/${chatId}/messages/${m.id}/history`), 404);
      problemOf(await A('GET', `/chats/${await group()}/messages/${m.id}/history`), 404);
      await A('DELETE', `/chats/${chatId}/messages/${m.id}`);
      assert.deepEqual((await B('GET', `/chats/${chatId}/messages/${m.id}/history`)).json(), [], 'deleting deletes the history');
      const store = t.app.core.ports.store;
      const rows = await store.messageExtras.editsOf((await store.messages.findByUuid(m.id))!.id);
      assert.deepEqual(rows, []);
    });

    it('404 for a message hidden by another user', async () => {
      const chatId = await group();
      const hidden = await send(B, chatId, 'draft', { isVisible: false });
      await B('PUT', `/chats/${chatId}/messages/${hidden.id}`, { text: 'draft 2' });
      problemOf(await A('GET', `/chats/${chatId}/messages/${hidden.id}/history`), 404);
      assert.deepEqual(
        (await B('GET', `/chats/${chatId}/messages/${hidden.id}/history`)).json().map((h: any) => h.text),
        ['draft'],
      );
    });
  });

  describe('pins', () => {
    it('members pin in a personal chat, only the owner in a group; ChatInfo.pinned and chatUpdate events', async () => {
      const personal = (await A('POST', '/chats', { participants: [c.id] })).json().id as string;
      const p = await send(C, personal, 'pin me');
      const pinned = await C('PUT', `/chats/${personal}/pins/${p.id}`);
      assert.equal(pinned.statusCode, 200, pinned.body);
      assert.deepEqual(pinned.json().pinned, [p.id]);
      assert.deepEqual((await A('GET', `/chats/${personal}`)).json().pinned, [p.id]);

      const chatId = await group();
      const m1 = await send(B, chatId, 'first');
      const m2 = await send(B, chatId, 'second');
      problemOf(await B('PUT', `/chats/${chatId}/pins/${m1.id}`), 403);
      const sb = await connect(`${url}/ws?token=${b.token}`);
      assert.deepEqual((await A('PUT', `/chats/${chatId}/pins/${m2.id}`)).json().pinned, [m2.id]);
      assert.deepEqual((await A('PUT', `/chats/${chatId}/pins/${m1.id}`)).json().pinned, [m2.id, m1.id]);
      assert.deepEqual((await A('PUT', `/chats/${chatId}/pins/${m1.id}`)).json().pinned, [m2.id, m1.id], 'idempotent');
      const updates = await sb.until(() => sb.of('chatUpdate').length >= 2 && sb.of('chatUpdate'), 5000, '2 chatUpdate');
      assert.deepEqual(updates[1]!.payload.pinned, [m2.id, m1.id]);
      const list = (await B('GET', `/chats/${chatId}/pins`)).json();
      assert.deepEqual(
        list.map((m: any) => m.text),
        ['second', 'first'],
      );
      assert.deepEqual((await A('DELETE', `/chats/${chatId}/pins/${m2.id}`)).json().pinned, [m1.id]);
      assert.equal((await A('DELETE', `/chats/${chatId}/pins/${m2.id}`)).statusCode, 200, 'idempotent');
      await sb.until(() => sb.of('chatUpdate').length >= 3, 5000, 'unpin event');
      assert.equal(sb.of('chatUpdate').length, 3, 'no event for the repeated pin');
      sb.close();
      // Replayed by cursor.
      const back = await connect(`${url}/ws?token=${b.token}&since=${updates[0]!.cursor! - 1}`);
      const replayed = await back.until(() => back.of('chatUpdate').length >= 3 && back.of('chatUpdate'), 5000, 'replay');
      assert.deepEqual(replayed.at(-1)!.payload.pinned, [m1.id]);
      back.close();
    });

    it('404 outside the chat or for a message of another chat', async () => {
      const chatId = await group();
      const other = await group();
      const m = await send(A, chatId, 'x');
      problemOf(await C('PUT', `/chats/${chatId}/pins/${m.id}`), 404);
      problemOf(await C('GET', `/chats/${chatId}/pins`), 404);
      problemOf(await A('PUT', `/chats/${other}/pins/${m.id}`), 404);
      await A('DELETE', `/chats/${chatId}/messages/${m.id}`);
      assert.deepEqual(invalidNames(await A('PUT', `/chats/${chatId}/pins/${m.id}`)), ['messageId']);
    });
  });
});
