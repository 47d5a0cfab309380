import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { client, invalidNames, problemOf, recordChatEvents, register, startApp, type Registered, type TestApp } from './helpers.js';

describe('messages', () => {
  let t: TestApp;
  let a: Registered, b: Registered, c: Registered;
  let A: ReturnType<typeof client>, B: ReturnType<typeof client>, C: ReturnType<typeof client>;
  let bus: ReturnType<typeof recordChatEvents>;
  before(async () => {
    t = await startApp();
    [a, b, c] = [await register(t.app), await register(t.app), await register(t.app)];
    [A, B, C] = [client(t.app, a.token), client(t.app, b.token), client(t.app, c.token)];
    bus = recordChatEvents(t.app);
  });
  after(() => t.destroy());

  const newChat = async () => (await A('POST', '/chats', { title: 'M', participants: [b.id], isPersonal: false })).json().id as string;
  const send = (who: typeof A, chatId: string, text: string, localId: string = randomUUID()) => who('POST', `/chats/${chatId}/messages`, { localId, text });

  it('sends a message with seq, author and an event for every member', async () => {
    const chatId = await newChat();
    await bus.take();
    const res = await send(A, chatId, 'hello');
    assert.equal(res.statusCode, 200);
    const m = res.json();
    // The JSON document's MessageInfo: `id: <UUID>` (a time-ordered UUIDv7) and `authorId: <Int>`.
    assert.match(m.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(m.authorId, a.id);
    assert.equal(m.seq, 1);
    assert.equal(m.chatId, chatId);
    assert.equal(m.author.id, a.id);
    assert.equal(m.text, 'hello');
    assert.equal(m.isVisible, true);
    assert.deepEqual(m.attachments, []);
    assert.deepEqual(m.readMarks, []);
    assert.equal((await send(B, chatId, 'back')).json().seq, 2);
    const events = await bus.take();
    assert.deepEqual(
      events.map((e) => [e.kind, e.source, e.recipients.sort()]),
      [
        ['message', a.id, [a.id, b.id].sort()],
        ['message', b.id, [a.id, b.id].sort()],
      ],
    );
    assert.equal(events[0]!.message!.message.text, 'hello');
  });

  it('validates messages: text ≤ 2048 bytes, localId required, non-members refused', async () => {
    const chatId = await newChat();
    assert.equal((await send(A, chatId, '€'.repeat(682))).statusCode, 200, '2046 bytes fit');
    assert.deepEqual(invalidNames(await send(A, chatId, '€'.repeat(683))), ['text']);
    assert.deepEqual(invalidNames(await send(A, chatId, '   ')), ['text']);
    assert.deepEqual(invalidNames(await A('POST', `/chats/${chatId}/messages`, { text: 'no id' })), ['localId']);
    assert.deepEqual(invalidNames(await A('POST', `/chats/${chatId}/messages`, { localId: 5, text: 'x' })), ['localId']);
    problemOf(await send(C, chatId, 'intruder'), 404);
    await bus.take();
  });

  it('is idempotent by (author, localId), also under 20 concurrent identical sends', async () => {
    const chatId = await newChat();
    const localId = `${a.id}+${randomUUID()}`;
    const first = (await send(A, chatId, 'once', localId)).json();
    const again = (await send(A, chatId, 'once more', localId)).json();
    assert.equal(again.id, first.id);
    assert.equal(again.text, 'once');
    const racing = `${a.id}+${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 20 }, () => send(A, chatId, 'race', racing)));
    assert.ok(results.every((r) => r.statusCode === 200));
    assert.equal(new Set(results.map((r) => r.json().id)).size, 1, 'one message for twenty sends');
    const history = (await A('GET', `/chats/${chatId}/messages?count=200`)).json();
    assert.equal(history.filter((m: any) => m.localId === racing).length, 1);
    assert.deepEqual(
      history.map((m: any) => m.seq),
      [2, 1],
      'no seq was skipped',
    );
    // Another author may use the same localId; the same author may not reuse it elsewhere.
    assert.notEqual((await send(B, chatId, 'mine', localId)).json().id, first.id);
    const other = await newChat();
    problemOf(await send(A, other, 'elsewhere', localId), 409);
    await bus.take();
  });

  it('keeps seq gap-free and unique under 50 concurrent senders', async () => {
    const chatId = await newChat();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => send(i % 2 ? A : B, chatId, `n${i}`)));
    assert.ok(results.every((r) => r.statusCode === 200));
    const seqs = results.map((r) => r.json().seq).sort((x, y) => x - y);
    assert.deepEqual(
      seqs,
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    await bus.take();
  });

  it('pages through 500 messages newest first with count and before', async () => {
    const chatId = await newChat();
    for (let i = 1; i <= 500; i++) await send(i % 3 ? A : B, chatId, `m${i}`);
    await bus.take();
    const seen: number[] = [];
    let before: string | undefined;
    for (;;) {
      const page = (await B('GET', `/chats/${chatId}/messages?count=200${before ? `&before=${before}` : ''}`)).json();
      if (page.length === 0) break;
      assert.ok(page.length <= 200);
      seen.push(...page.map((m: any) => m.seq));
      before = page[page.length - 1].id;
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 500 }, (_, i) => 500 - i),
    );
    assert.equal((await A('GET', `/chats/${chatId}/messages`)).json().length, 50, 'count defaults to 50');
    assert.deepEqual(invalidNames(await A('GET', `/chats/${chatId}/messages?count=201`)), ['count']);
    assert.deepEqual(invalidNames(await A('GET', `/chats/${chatId}/messages?before=abc`)), ['before']);
    const elsewhere = (await send(A, await newChat(), 'other chat')).json();
    problemOf(await A('GET', `/chats/${chatId}/messages?before=${elsewhere.id}`), 404);
    problemOf(await C('GET', `/chats/${chatId}/messages`), 404);
    await bus.take();
  });

  it('edits: author only, editedAt only when the text changes', async () => {
    const chatId = await newChat();
    const m = (await send(A, chatId, 'draft')).json();
    await bus.take();
    problemOf(await B('PUT', `/chats/${chatId}/messages/${m.id}`, { text: 'hijack' }), 403);
    problemOf(await C('PUT', `/chats/${chatId}/messages/${m.id}`, { text: 'hijack' }), 404);
    const hidden = (await A('PUT', `/chats/${chatId}/messages/${m.id}`, { isVisible: false, fileExists: true })).json();
    assert.equal(hidden.isVisible, false);
    assert.equal(hidden.fileExists, true);
    assert.equal(hidden.editedAt, undefined);
    const edited = (await A('PUT', `/chats/${chatId}/messages/${m.id}`, { text: 'final' })).json();
    assert.equal(edited.text, 'final');
    assert.ok(edited.editedAt);
    assert.deepEqual(
      (await bus.take()).map((e) => e.kind),
      ['messageUpdate', 'messageUpdate'],
    );
    assert.deepEqual(invalidNames(await A('PUT', `/chats/${chatId}/messages/${m.id}`, { text: 'x'.repeat(2049) })), ['text']);
    problemOf(await A('PUT', `/chats/${chatId}/messages/${randomUUID()}`, { text: 'x' }), 404);
    assert.deepEqual(invalidNames(await A('PUT', `/chats/${chatId}/messages/1`, { text: 'x' })), ['messageId'], 'integer ids are not accepted');
  });

  it('deletes: author only, leaving a tombstone with deletedAt', async () => {
    const chatId = await newChat();
    const m = (await send(A, chatId, 'secret')).json();
    problemOf(await B('DELETE', `/chats/${chatId}/messages/${m.id}`), 403);
    const deleted = (await A('DELETE', `/chats/${chatId}/messages/${m.id}`)).json();
    assert.equal(deleted.text, '');
    assert.ok(deleted.deletedAt);
    const [tomb] = (await B('GET', `/chats/${chatId}/messages`)).json();
    assert.equal(tomb.id, m.id);
    assert.equal(tomb.text, '');
    assert.ok(tomb.deletedAt);
    assert.equal((await A('DELETE', `/chats/${chatId}/messages/${m.id}`)).statusCode, 200, 'deleting twice is harmless');
    problemOf(await A('PUT', `/chats/${chatId}/messages/${m.id}`, { text: 'revive' }), 400);
    const raw = await t.app.core.ports.store.messages.findByUuid(m.id);
    assert.equal(raw?.text, '', 'the content is erased in the store, not just hidden');
    await bus.take();
  });

  it('read marks: marking one reads every earlier one', async () => {
    const chatId = await newChat();
    const sent = [];
    for (const text of ['one', 'two', 'three', 'four']) sent.push((await send(A, chatId, text)).json());
    await bus.take();
    assert.equal((await B('GET', '/chats')).json().find((x: any) => x.id === chatId).unreadCount, 4);
    const read = (await B('PUT', `/chats/${chatId}/messages/${sent[2].id}/read`)).json();
    assert.deepEqual(
      read.readMarks.map((r: any) => r.user.id),
      [b.id],
    );
    const [event] = await bus.take();
    assert.equal(event!.kind, 'messageRead');
    const history = (await A('GET', `/chats/${chatId}/messages`)).json();
    const readers = Object.fromEntries(history.map((m: any) => [m.text, m.readMarks.map((r: any) => r.user.id)]));
    assert.deepEqual(readers, { one: [b.id], two: [b.id], three: [b.id], four: [] });
    assert.equal((await B('GET', '/chats')).json().find((x: any) => x.id === chatId).unreadCount, 1);
    // Reading an earlier message again changes nothing and announces nothing.
    await B('PUT', `/chats/${chatId}/messages/${sent[0].id}/read`);
    assert.equal((await bus.take()).length, 0);
    problemOf(await C('PUT', `/chats/${chatId}/messages/${sent[0].id}/read`), 404);
  });

  it('notify sends an auxiliary event to the others and stores nothing', async () => {
    const chatId = await newChat();
    await send(A, chatId, 'before');
    await bus.take();
    const res = await B('POST', `/chats/${chatId}/notify`, { name: 'typing_started', text: 'B is typing', data: { x: 1 } });
    assert.deepEqual(res.json(), {});
    const [event] = await bus.take();
    assert.equal(event!.kind, 'auxiliary');
    assert.deepEqual(event!.recipients, [a.id]);
    assert.deepEqual(event!.auxiliary, { name: 'typing_started', text: 'B is typing', realm: 'webSocket', data: { x: 1 } });
    assert.equal((await A('GET', `/chats/${chatId}/messages`)).json().length, 1);
    assert.deepEqual(invalidNames(await B('POST', `/chats/${chatId}/notify`, { name: '' })), ['name']);
    assert.deepEqual(invalidNames(await B('POST', `/chats/${chatId}/notify`, { name: 'x', realm: 'sms' })), ['realm']);
  });

  it('account deletion takes the user’s chats and messages with it', async () => {
    const d = await register(t.app);
    const D = client(t.app, d.token);
    const owned = (await D('POST', '/chats', { participants: [a.id, b.id], title: 'D’s' })).json();
    const joined = await newChat();
    await A('POST', `/chats/${joined}/users`, { users: [d.id] });
    await send(D, joined, 'from d');
    await t.app.inject({
      method: 'DELETE',
      url: '/users/me',
      headers: { authorization: `Basic ${Buffer.from(`${d.username}:${d.password}`).toString('base64')}` },
    });
    problemOf(await A('GET', `/chats/${owned.id}`), 404);
    const history = (await A('GET', `/chats/${joined}/messages`)).json();
    assert.ok(!history.some((m: any) => m.text === 'from d'));
    assert.ok(!(await A('GET', `/chats/${joined}`)).json().allUsers.some((u: any) => u.id === d.id));
    await bus.take();
  });
});

describe('contacts', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.destroy());

  it('adds, updates, lists and deletes contacts, only one’s own', async () => {
    const [a, b, c] = [await register(t.app), await register(t.app), await register(t.app)];
    const A = client(t.app, a.token);
    const C = client(t.app, c.token);
    problemOf(await t.app.inject({ url: '/users/me/contacts' }), 401);
    const added = await A('POST', '/users/me/contacts', { name: 'Bee', isFavorite: true, user: { id: b.id } });
    assert.equal(added.statusCode, 200);
    const contact = added.json();
    assert.equal(contact.name, 'Bee');
    assert.equal(contact.isFavorite, true);
    assert.equal(contact.isBlocked, false);
    assert.equal(contact.user.id, b.id);
    const again = (await A('POST', '/users/me/contacts', { name: 'B.', user: { id: b.id } })).json();
    assert.equal(again.id, contact.id, 'adding the same user again updates the contact');
    assert.equal(again.name, 'B.');
    assert.deepEqual(
      (await A('GET', '/users/me/contacts')).json().map((x: any) => x.id),
      [contact.id],
    );
    assert.deepEqual((await C('GET', '/users/me/contacts')).json(), []);
    assert.deepEqual(invalidNames(await A('POST', '/users/me/contacts', { user: { id: a.id } })), ['user.id']);
    assert.deepEqual(invalidNames(await A('POST', '/users/me/contacts', { user: {} })), ['user.id']);
    problemOf(await A('POST', '/users/me/contacts', { user: { id: 987654 } }), 404);
    problemOf(await C('DELETE', `/users/me/contacts/${contact.id}`), 404);
    assert.deepEqual((await A('DELETE', `/users/me/contacts/${contact.id}`)).json(), {});
    assert.deepEqual((await A('GET', '/users/me/contacts')).json(), []);
    problemOf(await A('DELETE', `/users/me/contacts/${contact.id}`), 404);
  });
});
