/**
 * Group roles and bans (issue 21): owner, admin and member; what each may do; owner transfer;
 * bans that keep a user out until lifted; a moderator's delete delivered as an event. Every
 * rule is tried by a plain member (403) too. Runs on PostgreSQL with PARLEY_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { client, invalidNames, problemOf, recordChatEvents, register, startApp, type Registered, type TestApp } from './helpers.js';

describe('group roles and bans', () => {
  let t: TestApp;
  let o: Registered, ad: Registered, m: Registered, x: Registered;
  let O: ReturnType<typeof client>, AD: ReturnType<typeof client>, M: ReturnType<typeof client>, X: ReturnType<typeof client>;
  let bus: ReturnType<typeof recordChatEvents>;
  before(async () => {
    t = await startApp();
    [o, ad, m, x] = [await register(t.app), await register(t.app), await register(t.app), await register(t.app)];
    [O, AD, M, X] = [client(t.app, o.token), client(t.app, ad.token), client(t.app, m.token), client(t.app, x.token)];
    bus = recordChatEvents(t.app);
  });
  after(() => t.destroy());

  const send = (who: typeof O, chatId: string, text = 'hi') => who('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text });
  /** A group of the owner, an admin and a member. */
  async function group() {
    const chat = (await O('POST', '/chats', { title: 'Team', participants: [ad.id, m.id], isPersonal: false })).json();
    const res = await O('PUT', `/chats/${chat.id}/users/${ad.id}/role`, { role: 'admin' });
    assert.equal(res.statusCode, 200);
    return res.json();
  }

  it('shows roles in ChatInfo, and only the owner changes them (validated)', async () => {
    const chat = await group();
    assert.deepEqual(chat.roles, { [o.id]: 'owner', [ad.id]: 'admin' });
    assert.deepEqual((await M('GET', `/chats/${chat.id}`)).json().roles, { [o.id]: 'owner', [ad.id]: 'admin' });
    problemOf(await t.app.inject({ method: 'PUT', url: `/chats/${chat.id}/users/${m.id}/role`, payload: { role: 'admin' } }), 401);
    problemOf(await AD('PUT', `/chats/${chat.id}/users/${m.id}/role`, { role: 'admin' }), 403);
    problemOf(await M('PUT', `/chats/${chat.id}/users/${m.id}/role`, { role: 'admin' }), 403);
    problemOf(await X('PUT', `/chats/${chat.id}/users/${m.id}/role`, { role: 'admin' }), 404);
    assert.deepEqual(invalidNames(await O('PUT', `/chats/${chat.id}/users/${m.id}/role`, { role: 'king' })), ['role']);
    assert.deepEqual(invalidNames(await O('PUT', `/chats/${chat.id}/users/${o.id}/role`, { role: 'member' })), ['userId']);
    problemOf(await O('PUT', `/chats/${chat.id}/users/${x.id}/role`, { role: 'admin' }), 404);
    const personal = (await O('POST', '/chats', { participants: [m.id] })).json();
    assert.deepEqual(invalidNames(await O('PUT', `/chats/${personal.id}/users/${m.id}/role`, { role: 'admin' })), ['chatId']);
    assert.equal(personal.roles, undefined, 'a personal chat has no roles');
    const demoted = (await O('PUT', `/chats/${chat.id}/users/${ad.id}/role`, { role: 'member' })).json();
    assert.deepEqual(demoted.roles, { [o.id]: 'owner' });
  });

  it('lets admins remove, block and pin, and refuses plain members (403); an admin cannot act on the owner', async () => {
    const chat = await group();
    const msg = (await send(M, chat.id, 'pin me')).json();
    problemOf(await M('PUT', `/chats/${chat.id}/pins/${msg.id}`), 403);
    assert.equal((await AD('PUT', `/chats/${chat.id}/pins/${msg.id}`)).statusCode, 200);
    problemOf(await M('PUT', `/chats/${chat.id}/users/${ad.id}/block`), 403);
    assert.equal((await AD('PUT', `/chats/${chat.id}/users/${m.id}/block`)).statusCode, 200);
    problemOf(await send(M, chat.id), 403);
    assert.equal((await AD('PUT', `/chats/${chat.id}/users/${m.id}/unblock`)).statusCode, 200);
    problemOf(await AD('PUT', `/chats/${chat.id}/users/${o.id}/block`), 403);
    problemOf(await AD('DELETE', `/chats/${chat.id}/users`, { users: [o.id] }), 403);
    problemOf(await M('DELETE', `/chats/${chat.id}/users`, { users: [ad.id] }), 403);
    assert.equal((await AD('PUT', `/chats/${chat.id}`, { title: 'Renamed by admin' })).json().title, 'Renamed by admin');
    assert.equal((await AD('DELETE', `/chats/${chat.id}/users`, { users: [m.id] })).statusCode, 200);
    assert.equal((await AD('POST', `/chats/${chat.id}/users`, { users: [m.id, x.id] })).statusCode, 200);
  });

  it('hands ownership over: the new owner is owner, the old one an admin', async () => {
    const chat = await group();
    const res = await O('PUT', `/chats/${chat.id}/users/${m.id}/role`, { role: 'owner' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().owner.id, m.id);
    assert.deepEqual(res.json().roles, { [m.id]: 'owner', [o.id]: 'admin', [ad.id]: 'admin' });
    problemOf(await O('PUT', `/chats/${chat.id}/users/${ad.id}/role`, { role: 'member' }), 403);
    assert.equal((await M('PUT', `/chats/${chat.id}/users/${o.id}/role`, { role: 'member' })).statusCode, 200);
    assert.equal((await M('DELETE', `/chats/${chat.id}`)).statusCode, 200, 'the new owner may delete the chat');
  });

  it('lets the owner or an admin delete anyone’s message, shown and delivered as deleted by a moderator', async () => {
    const chat = await group();
    const byMember = (await send(M, chat.id, 'rude words')).json();
    const byOwner = (await send(O, chat.id, 'owner text')).json();
    problemOf(await M('DELETE', `/chats/${chat.id}/messages/${byOwner.id}`), 403);
    await bus.take();
    const deleted = (await AD('DELETE', `/chats/${chat.id}/messages/${byMember.id}`)).json();
    assert.equal(deleted.text, '');
    assert.ok(deleted.deletedAt);
    assert.equal(deleted.deletedBy, ad.id);
    assert.equal(deleted.isDeletedByModerator, true);
    const events = await bus.take();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.kind, 'messageUpdate');
    assert.equal(events[0]!.message!.message.deletedBy, ad.id, 'the event names the moderator');
    assert.deepEqual(events[0]!.recipients.sort(), [o.id, ad.id, m.id].sort());
    const history = (await M('GET', `/chats/${chat.id}/messages`)).json();
    const tomb = history.find((h: any) => h.id === byMember.id);
    assert.deepEqual([tomb.text, tomb.deletedBy, tomb.isDeletedByModerator], ['', ad.id, true]);
    // An author's own delete names nobody.
    const own = (await M('DELETE', `/chats/${chat.id}/messages/${(await send(M, chat.id, 'mine')).json().id}`)).json();
    assert.deepEqual([own.deletedBy, own.isDeletedByModerator], [undefined, undefined]);
    // In a personal chat nobody deletes the other's messages.
    const personal = (await O('POST', '/chats', { participants: [x.id] })).json();
    const theirs = (await send(X, personal.id, 'x')).json();
    problemOf(await O('DELETE', `/chats/${personal.id}/messages/${theirs.id}`), 403);
  });

  it('bans: removes the user, refuses re-adding (403) until unbanned; members cannot ban; a third user is unaffected', async () => {
    const chat = await group();
    problemOf(await t.app.inject({ method: 'PUT', url: `/chats/${chat.id}/bans/${m.id}` }), 401);
    problemOf(await M('PUT', `/chats/${chat.id}/bans/${ad.id}`), 403);
    problemOf(await M('GET', `/chats/${chat.id}/bans`), 403);
    problemOf(await AD('PUT', `/chats/${chat.id}/bans/${o.id}`), 403);
    problemOf(await X('PUT', `/chats/${chat.id}/bans/${m.id}`), 404);
    assert.deepEqual(invalidNames(await AD('PUT', `/chats/${chat.id}/bans/${ad.id}`)), ['userId']);
    problemOf(await AD('PUT', `/chats/${chat.id}/bans/987654`), 404);
    await bus.take();
    const after = (await AD('PUT', `/chats/${chat.id}/bans/${m.id}`)).json();
    assert.ok(!after.allUsers.some((u: any) => u.id === m.id), 'removed');
    const events = await bus.take();
    assert.equal(events[0]!.kind, 'removedUsers');
    assert.ok(events[0]!.recipients.includes(m.id), 'the banned user is told');
    problemOf(await M('GET', `/chats/${chat.id}`), 404);
    problemOf(await O('POST', `/chats/${chat.id}/users`, { users: [m.id] }), 403);
    problemOf(await O('POST', `/chats/${chat.id}/users`, { users: [x.id, m.id] }), 403);
    // A ban before they ever joined counts too.
    assert.equal((await O('PUT', `/chats/${chat.id}/bans/${x.id}`)).statusCode, 200);
    const bans = (await AD('GET', `/chats/${chat.id}/bans`)).json();
    assert.deepEqual(bans.map((b: any) => b.user.id).sort(), [m.id, x.id].sort());
    assert.equal(bans.find((b: any) => b.user.id === m.id).bannedBy, ad.id);
    problemOf(await M('DELETE', `/chats/${chat.id}/bans/${x.id}`), 404);
    assert.equal((await AD('DELETE', `/chats/${chat.id}/bans/${m.id}`)).statusCode, 200);
    problemOf(await AD('DELETE', `/chats/${chat.id}/bans/${m.id}`), 404);
    problemOf(await M('GET', `/chats/${chat.id}`), 404);
    assert.equal((await O('POST', `/chats/${chat.id}/users`, { users: [m.id] })).statusCode, 200, 'unbanned: may be added again');
    // Another group is unaffected by this group's ban.
    const other = (await O('POST', '/chats', { title: 'Other', participants: [x.id], isPersonal: false })).json();
    assert.ok(other.allUsers.some((u: any) => u.id === x.id));
    const personal = (await O('POST', '/chats', { participants: [m.id] })).json();
    assert.deepEqual(invalidNames(await O('PUT', `/chats/${personal.id}/bans/${m.id}`)), ['chatId']);
  });

  it('records every moderator action in the audit log: role changes, bans, unbans, moderator deletes', async () => {
    const root = await register(t.app);
    await t.app.core.admin.setRole(root.username, 'admin');
    const audit = async () => (await client(t.app, root.token)('GET', '/admin/audit?limit=20')).json().entries.filter((e: any) => e.chatId === chat.id);
    const chat = await group();
    const byMember = (await send(M, chat.id, 'spam')).json();
    await AD('DELETE', `/chats/${chat.id}/messages/${byMember.id}`);
    await AD('PUT', `/chats/${chat.id}/bans/${m.id}`);
    await O('DELETE', `/chats/${chat.id}/bans/${m.id}`);
    problemOf(await M('PUT', `/chats/${chat.id}/bans/${ad.id}`), 404);
    const own = (await send(AD, chat.id, 'mine')).json();
    await AD('DELETE', `/chats/${chat.id}/messages/${own.id}`);
    const entries = (await audit()).reverse();
    assert.deepEqual(
      entries.map((e: any) => [e.action, e.actorId, String(e.targetId)]),
      [
        ['chat.role', o.id, String(ad.id)],
        ['message.moderatorDelete', ad.id, byMember.id],
        ['chat.ban', ad.id, String(m.id)],
        ['chat.unban', o.id, String(m.id)],
      ],
      'an author’s own delete and refused attempts record nothing',
    );
    assert.deepEqual(entries[0].details, { from: 'member', to: 'admin' });
  });

  it('gives ownership to an admin first when the owner leaves', async () => {
    const chat = (await O('POST', '/chats', { title: 'Heirs', participants: [m.id, ad.id], isPersonal: false })).json();
    await O('PUT', `/chats/${chat.id}/users/${ad.id}/role`, { role: 'admin' });
    assert.equal((await O('DELETE', `/chats/${chat.id}/me`)).statusCode, 200);
    const now = (await M('GET', `/chats/${chat.id}`)).json();
    assert.equal(now.owner.id, ad.id, 'the admin, though the member joined earlier');
    assert.deepEqual(now.roles, { [ad.id]: 'owner' });
  });
});
