import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { client, invalidNames, problemOf, recordChatEvents, register, startApp, type Registered, type TestApp } from './helpers.js';

describe('chats', () => {
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

  const group = async (title = 'Group', others = [b.id]) => (await A('POST', '/chats', { title, participants: others, isPersonal: false })).json();
  const send = (who: typeof A, chatId: string, text = 'hi') => who('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text });

  it('refuses every chat route without a token', async () => {
    problemOf(await t.app.inject({ method: 'POST', url: '/chats', payload: { participants: [b.id] } }), 401);
    problemOf(await t.app.inject({ url: '/chats' }), 401);
    problemOf(await t.app.inject({ url: `/chats/${randomUUID()}/messages` }), 401);
  });

  it('creates one personal chat per pair and returns it again', async () => {
    const res = await A('POST', '/chats', { participants: [b.id] });
    assert.equal(res.statusCode, 200);
    const chat = res.json();
    assert.equal(chat.isPersonal, true);
    assert.equal(chat.owner.id, a.id);
    assert.deepEqual(chat.allUsers.map((u: any) => u.id).sort(), [a.id, b.id].sort());
    assert.deepEqual([chat.isMuted, chat.isArchived, chat.isBlocked], [false, false, false]);
    const again = (await B('POST', '/chats', { participants: [a.id, b.id] })).json();
    assert.equal(again.id, chat.id, 'the same pair, either way round, gets the same chat');
    const events = await bus.take();
    assert.equal(events.length, 1, 'only the first creation is news');
    assert.equal(events[0]!.kind, 'addedUsers');
    assert.deepEqual(events[0]!.recipients.sort(), [a.id, b.id].sort());
  });

  it('validates creation', async () => {
    assert.deepEqual(invalidNames(await A('POST', '/chats', { participants: [b.id, c.id], isPersonal: true })), ['isPersonal']);
    assert.deepEqual(invalidNames(await A('POST', '/chats', { participants: [a.id] })), ['participants']);
    assert.deepEqual(invalidNames(await A('POST', '/chats', { participants: [] })), ['participants']);
    assert.deepEqual(invalidNames(await A('POST', '/chats', { participants: [987654] })), ['participants']);
    assert.deepEqual(invalidNames(await A('POST', '/chats', { participants: ['x'] })), ['participants.0']);
    const two = (await A('POST', '/chats', { participants: [b.id], isPersonal: false, title: '  Duo  ' })).json();
    assert.equal(two.isPersonal, false);
    assert.equal(two.title, 'Duo');
    await bus.take();
  });

  it('hides chats from non-members (404) and checks ids (400)', async () => {
    const chat = await group();
    for (const [method, url] of [
      ['GET', `/chats/${chat.id}`],
      ['PUT', `/chats/${chat.id}/settings`],
      ['GET', `/chats/${chat.id}/messages`],
      ['DELETE', `/chats/${chat.id}/me`],
      ['DELETE', `/chats/${chat.id}/messages`],
      ['PUT', `/chats/${chat.id}/block`],
      ['GET', `/chats/${chat.id}/users/blocked`],
      ['DELETE', `/chats/${chat.id}`],
    ] as const) {
      problemOf(await C(method, url, method === 'GET' || method === 'DELETE' ? undefined : {}), 404);
    }
    problemOf(await C('PUT', `/chats/${chat.id}`, { title: 'x' }), 404);
    problemOf(await C('POST', `/chats/${chat.id}/users`, { users: [c.id] }), 404);
    problemOf(await C('POST', `/chats/${chat.id}/messages`, { localId: 'x', text: 'let me in' }), 404);
    problemOf(await C('POST', `/chats/${chat.id}/notify`, { name: 'typing' }), 404);
    assert.deepEqual(invalidNames(await A('GET', '/chats/not-a-uuid')), ['id']);
    problemOf(await A('GET', `/chats/${randomUUID()}`), 404);
    assert.ok(!(await C('GET', '/chats')).json().some((x: any) => x.id === chat.id));
    await bus.take();
  });

  it('lists chats by latest activity with lastMessage; full=1 adds every member', async () => {
    const first = await group('First');
    const second = await group('Second');
    await send(A, first.id, 'latest');
    const list = (await A('GET', '/chats')).json();
    const ids = list.map((x: any) => x.id);
    assert.ok(ids.indexOf(first.id) < ids.indexOf(second.id));
    const listed = list.find((x: any) => x.id === first.id);
    assert.equal(listed.lastMessage.text, 'latest');
    assert.deepEqual(listed.allUsers, [], 'group members only with full=1');
    const full = (await A('GET', '/chats?full=1')).json().find((x: any) => x.id === first.id);
    assert.equal(full.allUsers.length, 2);
    assert.equal((await B('GET', '/chats')).json().find((x: any) => x.id === first.id).unreadCount, 1);
    await bus.take();
  });

  it('changes the title for members, never for personal chats', async () => {
    const chat = await group();
    await bus.take();
    const res = await B('PUT', `/chats/${chat.id}`, { title: 'Renamed' });
    assert.equal(res.json().title, 'Renamed');
    const [event] = await bus.take();
    assert.equal(event!.kind, 'chatUpdate');
    assert.deepEqual(event!.recipients.sort(), [a.id, b.id].sort());
    const personal = (await A('POST', '/chats', { participants: [b.id] })).json();
    assert.deepEqual(invalidNames(await A('PUT', `/chats/${personal.id}`, { title: 'No' })), ['title']);
  });

  it('keeps settings per member; removed-on-device hides the chat until a new message', async () => {
    const chat = await group();
    await bus.take();
    const muted = (await A('PUT', `/chats/${chat.id}/settings`, { isMuted: true, isArchived: true })).json();
    assert.deepEqual([muted.isMuted, muted.isArchived], [true, true]);
    const [event] = await bus.take();
    assert.deepEqual(event!.recipients, [a.id], 'settings are the caller’s own business');
    const forB = (await B('GET', `/chats/${chat.id}`)).json();
    assert.deepEqual([forB.isMuted, forB.isArchived], [false, false]);
    await A('PUT', `/chats/${chat.id}/settings`, { isRemovedOnDevice: true });
    assert.ok(!(await A('GET', '/chats')).json().some((x: any) => x.id === chat.id));
    assert.equal((await A('GET', `/chats/${chat.id}`)).statusCode, 200, 'still reachable by id');
    await send(B, chat.id, 'wake up');
    assert.ok((await A('GET', '/chats')).json().some((x: any) => x.id === chat.id));
    assert.deepEqual(invalidNames(await A('PUT', `/chats/${chat.id}/settings`, { isMuted: 'yes' })), ['isMuted']);
    await bus.take();
  });

  it('adds up to 10 users a call; 400 when none could be added', async () => {
    const chat = await group();
    await bus.take();
    const res = await B('POST', `/chats/${chat.id}/users`, { users: [c.id] });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      res.json().addedUsers.map((u: any) => u.id),
      [c.id],
    );
    const [event] = await bus.take();
    assert.equal(event!.kind, 'addedUsers');
    assert.deepEqual(event!.recipients.sort(), [a.id, b.id, c.id].sort());
    problemOf(await A('POST', `/chats/${chat.id}/users`, { users: [c.id, b.id] }), 400);
    assert.deepEqual(invalidNames(await A('POST', `/chats/${chat.id}/users`, { users: Array.from({ length: 11 }, (_, i) => i + 1) })), ['users']);
    const personal = (await A('POST', '/chats', { participants: [b.id] })).json();
    problemOf(await A('POST', `/chats/${personal.id}/users`, { users: [c.id] }), 400);
    await bus.take();
  });

  it('lets only the owner remove users, delete, and clear a group', async () => {
    const chat = await group('Owned', [b.id, c.id]);
    await send(B, chat.id);
    await bus.take();
    problemOf(await B('DELETE', `/chats/${chat.id}/users`, { users: [c.id] }), 403);
    problemOf(await B('DELETE', `/chats/${chat.id}`), 403);
    problemOf(await B('DELETE', `/chats/${chat.id}/messages`), 403);
    const removed = await A('DELETE', `/chats/${chat.id}/users`, { users: [c.id] });
    assert.deepEqual(
      removed.json().removedUsers.map((u: any) => u.id),
      [c.id],
    );
    const [event] = await bus.take();
    assert.equal(event!.kind, 'removedUsers');
    assert.ok(event!.recipients.includes(c.id), 'the removed user is told');
    problemOf(await C('GET', `/chats/${chat.id}`), 404);
    problemOf(await A('DELETE', `/chats/${chat.id}/users`, { users: [c.id] }), 400);
    assert.equal((await A('DELETE', `/chats/${chat.id}/messages`)).statusCode, 200);
    assert.deepEqual((await B('GET', `/chats/${chat.id}/messages`)).json(), []);
    assert.equal((await bus.take())[0]!.kind, 'chatCleared');
    assert.deepEqual((await A('DELETE', `/chats/${chat.id}`)).json(), {});
    const [gone] = await bus.take();
    assert.equal(gone!.kind, 'chatDeleted');
    assert.deepEqual(gone!.recipients.sort(), [a.id, b.id].sort());
    problemOf(await B('GET', `/chats/${chat.id}`), 404);
    problemOf(await A('GET', `/chats/${chat.id}`), 404);
  });

  it('lets members leave a group (ownership passes on), never a personal chat', async () => {
    const chat = await group('Leave', [b.id, c.id]);
    assert.deepEqual((await B('DELETE', `/chats/${chat.id}/me`)).json(), {});
    problemOf(await B('GET', `/chats/${chat.id}`), 404);
    await A('DELETE', `/chats/${chat.id}/me`);
    const seen = (await C('GET', `/chats/${chat.id}`)).json();
    assert.equal(seen.owner.id, c.id, 'the longest-standing member inherits the chat');
    await C('DELETE', `/chats/${chat.id}/me`);
    assert.equal(await t.app.core.ports.store.chats.findById(chat.id), undefined, 'an empty chat is deleted');
    const personal = (await A('POST', '/chats', { participants: [b.id] })).json();
    problemOf(await A('DELETE', `/chats/${personal.id}/me`), 400);
    await bus.take();
  });

  it('blocking a group chat leaves it and refuses re-adding until unblocked', async () => {
    const chat = await group('Blockable', [b.id, c.id]);
    assert.equal((await C('PUT', `/chats/${chat.id}/block`)).statusCode, 200);
    problemOf(await C('GET', `/chats/${chat.id}`), 404);
    problemOf(await A('POST', `/chats/${chat.id}/users`, { users: [c.id] }), 400);
    assert.equal((await C('PUT', `/chats/${chat.id}/unblock`)).statusCode, 200);
    assert.equal((await A('POST', `/chats/${chat.id}/users`, { users: [c.id] })).statusCode, 200);
    assert.equal((await C('GET', `/chats/${chat.id}`)).statusCode, 200);
    await bus.take();
  });

  it('blocking a personal chat stops the other user posting into it', async () => {
    const personal = (await A('POST', '/chats', { participants: [b.id] })).json();
    await B('PUT', `/chats/${personal.id}/block`);
    assert.equal((await B('GET', `/chats/${personal.id}`)).json().isBlocked, true);
    problemOf(await send(A, personal.id), 403);
    problemOf(await send(B, personal.id), 403);
    await B('PUT', `/chats/${personal.id}/unblock`);
    assert.equal((await send(A, personal.id)).statusCode, 200);
    await bus.take();
  });

  it('lets the owner block a member from posting, and lists blocked members', async () => {
    const chat = await group('Moderated', [b.id, c.id]);
    problemOf(await B('PUT', `/chats/${chat.id}/users/${c.id}/block`), 403);
    problemOf(await A('PUT', `/chats/${chat.id}/users/${a.id}/block`), 400);
    problemOf(await A('PUT', `/chats/${chat.id}/users/987654/block`), 404);
    assert.equal((await A('PUT', `/chats/${chat.id}/users/${b.id}/block`)).statusCode, 200);
    problemOf(await send(B, chat.id), 403);
    problemOf(await B('POST', `/chats/${chat.id}/notify`, { name: 'typing_started' }), 403);
    assert.deepEqual(
      (await C('GET', `/chats/${chat.id}/users/blocked`)).json().map((u: any) => u.id),
      [b.id],
    );
    await A('PUT', `/chats/${chat.id}/users/${b.id}/unblock`);
    assert.equal((await send(B, chat.id)).statusCode, 200);
    assert.deepEqual((await A('GET', `/chats/${chat.id}/users/blocked`)).json(), []);
    const personal = (await A('POST', '/chats', { participants: [b.id] })).json();
    problemOf(await A('PUT', `/chats/${personal.id}/users/${b.id}/block`), 400);
    await bus.take();
  });

  it('never addresses an event to a user outside the chat', async () => {
    const chat = await group('Private', [b.id]);
    await send(A, chat.id);
    await B('POST', `/chats/${chat.id}/notify`, { name: 'typing_started' });
    await A('PUT', `/chats/${chat.id}`, { title: 'Still private' });
    const events = await bus.take();
    assert.ok(events.length >= 4);
    for (const e of events) assert.ok(!e.recipients.includes(c.id), `${e.kind} went to an outsider`);
  });
});
