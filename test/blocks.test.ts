/**
 * Account-wide user blocks (issue 21): the routes, and every path by which a blocked user
 * could reach the blocker (a personal chat, a group created with them or added to, a message
 * in a personal chat, a push in a shared group) refused, while a third user is unaffected.
 * Runs on PostgreSQL too with PARLEY_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { client, invalidNames, problemOf, register, startApp, type Registered, type TestApp } from './helpers.js';
import { eventually } from './push-stand-ins/tls.js';
import { sendText, startPushFixture, userWithFcm, type PushFixture } from './push.helpers.js';

describe('user blocks', () => {
  let t: TestApp;
  let a: Registered, b: Registered, c: Registered;
  let A: ReturnType<typeof client>, B: ReturnType<typeof client>, C: ReturnType<typeof client>;
  before(async () => {
    t = await startApp();
    [a, b, c] = [await register(t.app), await register(t.app), await register(t.app)];
    [A, B, C] = [client(t.app, a.token), client(t.app, b.token), client(t.app, c.token)];
  });
  after(() => t.destroy());

  const send = (who: typeof A, chatId: string, text = 'hi') => who('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text });

  it('needs a token, a real other user, and answers 404 for a block that is not there', async () => {
    problemOf(await t.app.inject({ method: 'PUT', url: `/users/me/blocks/${b.id}` }), 401);
    problemOf(await t.app.inject({ url: '/users/me/blocks' }), 401);
    problemOf(await t.app.inject({ method: 'DELETE', url: `/users/me/blocks/${b.id}` }), 401);
    assert.deepEqual(invalidNames(await A('PUT', '/users/me/blocks/abc')), ['id']);
    assert.deepEqual(invalidNames(await A('PUT', `/users/me/blocks/${a.id}`)), ['userId']);
    problemOf(await A('PUT', '/users/me/blocks/987654'), 404);
    problemOf(await A('DELETE', `/users/me/blocks/${c.id}`), 404);
  });

  it('blocks, lists (with isBlocked) and unblocks; blocking twice is one block', async () => {
    assert.equal((await A('PUT', `/users/me/blocks/${c.id}`)).statusCode, 200);
    assert.equal((await A('PUT', `/users/me/blocks/${c.id}`)).statusCode, 200);
    const list = (await A('GET', '/users/me/blocks')).json();
    assert.deepEqual(
      list.map((u: any) => [u.id, u.isBlocked]),
      [[c.id, true]],
    );
    assert.deepEqual((await C('GET', '/users/me/blocks')).json(), [], 'a block is the blocker’s own');
    assert.equal((await A('GET', `/users/${c.id}`)).json().isBlocked, true, 'UserInfo shows the blocker isBlocked');
    assert.equal((await B('GET', `/users/${c.id}`)).json().isBlocked, undefined, 'and nobody else');
    const found = (await A('GET', `/users?s=${c.username}`)).json();
    assert.equal(found[0].isBlocked, true);
    assert.equal((await A('POST', '/users/me/contacts', { user: { id: c.id } })).json().isBlocked, true, 'ContactInfo isBlocked too');
    assert.equal((await A('GET', '/users/me/contacts')).json()[0].isBlocked, true);
    assert.equal((await A('DELETE', `/users/me/blocks/${c.id}`)).statusCode, 200);
    assert.deepEqual((await A('GET', '/users/me/blocks')).json(), []);
    assert.equal((await A('GET', `/users/${c.id}`)).json().isBlocked, undefined);
    assert.equal((await A('GET', '/users/me/contacts')).json()[0].isBlocked, false);
  });

  it('refuses a blocked user a personal chat, a group with the blocker, and adding them (403); a third user is unaffected', async () => {
    const x = await register(t.app);
    const X = client(t.app, x.token);
    assert.equal((await B('PUT', `/users/me/blocks/${x.id}`)).statusCode, 200);
    problemOf(await X('POST', '/chats', { participants: [b.id] }), 403);
    // The bypass: a group made with the blocker in it.
    problemOf(await X('POST', '/chats', { participants: [b.id, c.id], isPersonal: false, title: 'sneaky' }), 403);
    problemOf(await X('POST', '/chats', { participants: [b.id], isPersonal: false }), 403);
    const group = (await X('POST', '/chats', { participants: [c.id], isPersonal: false, title: 'ok' })).json();
    problemOf(await X('POST', `/chats/${group.id}/users`, { users: [b.id] }), 403);
    const members = (await X('GET', `/chats/${group.id}`)).json().allUsers.map((u: any) => u.id);
    assert.ok(!members.includes(b.id), 'the blocker was not added');
    // A third user does all of it.
    assert.equal((await C('POST', '/chats', { participants: [b.id] })).statusCode, 200);
    assert.equal((await C('POST', `/chats/${group.id}/users`, { users: [b.id] })).statusCode, 200, 'another member may add the blocker');
    // The blocker may still open a chat with the user they blocked (and unblock later).
    assert.equal((await B('POST', '/chats', { participants: [x.id] })).statusCode, 200);
  });

  it('refuses messages either way in a personal chat while blocked, and allows them again after unblocking', async () => {
    const x = await register(t.app);
    const X = client(t.app, x.token);
    const chat = (await X('POST', '/chats', { participants: [a.id] })).json();
    assert.equal((await send(X, chat.id, 'before')).statusCode, 200);
    assert.equal((await A('PUT', `/users/me/blocks/${x.id}`)).statusCode, 200);
    problemOf(await send(X, chat.id, 'after'), 403);
    problemOf(await X('POST', `/chats/${chat.id}/notify`, { name: 'typing_started' }), 403);
    problemOf(await send(A, chat.id, 'from the blocker'), 403);
    // Another personal chat of the blocked user is untouched.
    const other = (await X('POST', '/chats', { participants: [c.id] })).json();
    assert.equal((await send(X, other.id, 'to c')).statusCode, 200);
    assert.equal((await A('DELETE', `/users/me/blocks/${x.id}`)).statusCode, 200);
    assert.equal((await send(X, chat.id, 'again')).statusCode, 200);
    assert.equal((await send(A, chat.id, 'back')).statusCode, 200);
  });

  it('keeps the per-chat block separate: blocking a user does not block the chat, and the other way round', async () => {
    const x = await register(t.app);
    const X = client(t.app, x.token);
    const chat = (await X('POST', '/chats', { participants: [c.id] })).json();
    assert.equal((await C('PUT', `/chats/${chat.id}/block`)).statusCode, 200);
    problemOf(await send(X, chat.id), 403);
    assert.deepEqual((await C('GET', '/users/me/blocks')).json(), [], 'a chat block is no user block');
    assert.equal((await C('PUT', `/chats/${chat.id}/unblock`)).statusCode, 200);
    assert.equal((await C('PUT', `/users/me/blocks/${x.id}`)).statusCode, 200);
    assert.equal((await C('GET', `/chats/${chat.id}`)).json().isBlocked, false, 'ChatInfo isBlocked is the chat block only');
    problemOf(await send(X, chat.id), 403);
  });
});

describe('user blocks and push', () => {
  let f: PushFixture;
  before(async () => {
    f = await startPushFixture();
  });
  after(() => f?.close());

  it('pushes nothing of a blocked user to the blocker in a shared group; others still get it', async () => {
    const [a, b, c] = [await userWithFcm(f.t), await userWithFcm(f.t), await userWithFcm(f.t)];
    const group = (await client(f.t.app, a.token)('POST', '/chats', { participants: [b.id, c.id], isPersonal: false, title: 'Shared' })).json();
    assert.equal((await client(f.t.app, b.token)('PUT', `/users/me/blocks/${a.id}`)).statusCode, 200);
    await sendText(f.t, a, group.id, 'from the blocked');
    await sendText(f.t, c, group.id, 'from a friend');
    const to = (user: { pushToken: string }) => f.fcm.received.filter((p) => p.message.token === user.pushToken).map((p) => p.message.notification?.body);
    await eventually(() => to(c).length === 1 && to(b).length === 1 && to(a).length === 1, 'the pushes');
    await eventually(async () => (await f.t.app.core.ports.store.push.pending()) === 0, 'an empty outbox');
    assert.deepEqual(to(b), ['from a friend'], 'the blocker got only the friend’s message');
    assert.deepEqual(to(c), ['from the blocked']);
    // Notifications that push (realm "push") likewise.
    const notify = (who: typeof a, text: string) => client(f.t.app, who.token)('POST', `/chats/${group.id}/notify`, { name: 'poke', text, realm: 'push' });
    assert.equal((await notify(a, 'poke from the blocked')).statusCode, 200);
    assert.equal((await notify(c, 'poke from a friend')).statusCode, 200);
    await eventually(() => to(c).length === 2 && to(b).length === 2, 'the notification pushes');
    await eventually(async () => (await f.t.app.core.ports.store.push.pending()) === 0, 'an empty outbox');
    assert.deepEqual(to(b), ['from a friend', 'poke from a friend']);
    assert.deepEqual(to(c), ['from the blocked', 'poke from the blocked']);
  });
});
