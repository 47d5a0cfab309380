/** Issue 19: mentions resolved on send, GET /users/me/mentions, and notification levels in push. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { client, invalidNames, register } from './helpers.js';
import { eventually, pause } from './push-stand-ins/tls.js';
import { sendText, startPushFixture, userWithFcm, type PushFixture } from './push.helpers.js';

describe('mentions and notification levels', () => {
  let f: PushFixture;
  before(async () => {
    f = await startPushFixture();
  });
  after(() => f?.close());
  const fcmFor = (token: string) => f.fcm.received.filter((p) => p.message.token === token);
  const as = (token: string) => client(f.t.app, token);

  it('resolves @username of members and @all (group owner only) into mentions; lists them at /users/me/mentions', async () => {
    const [a, b, c] = [await register(f.t.app), await register(f.t.app), await register(f.t.app)];
    const outsider = await register(f.t.app);
    const chatId = (await as(a.token)('POST', '/chats', { title: 'M', participants: [b.id, c.id], isPersonal: false })).json().id;
    const m1 = await sendText(
      f.t,
      a,
      chatId,
      `hi @${b.username.toUpperCase()}, and @${outsider.username} and @${c.username}. me: @${a.username} mail x@${b.username}`,
    );
    assert.deepEqual(
      m1.mentions,
      [b.id, c.id].sort((x, y) => x - y),
      'members only, not the author nor an address',
    );
    const plain = await sendText(f.t, a, chatId, 'no one');
    assert.deepEqual(plain.mentions, []);
    const notOwner = await sendText(f.t, b, chatId, '@all look');
    assert.deepEqual(notOwner.mentions, [], '@all is the owner’s');
    const all = await sendText(f.t, a, chatId, '@all look');
    assert.deepEqual(
      all.mentions,
      [b.id, c.id].sort((x, y) => x - y),
    );
    const [latest] = (await as(a.token)('GET', `/chats/${chatId}/messages?count=1`)).json();
    assert.deepEqual(latest.mentions, all.mentions, 'in the history too');
    const mine = await as(b.token)('GET', '/users/me/mentions?count=10');
    assert.equal(mine.statusCode, 200, mine.body);
    assert.deepEqual(
      mine.json().map((m: any) => m.id),
      [all.id, m1.id],
    );
    assert.deepEqual(
      (await as(b.token)('GET', `/users/me/mentions?count=10&before=${all.id}`)).json().map((m: any) => m.id),
      [m1.id],
    );
    assert.deepEqual((await as(outsider.token)('GET', '/users/me/mentions')).json(), []);
    // A chat left is no longer listed.
    await as(c.token)('DELETE', `/chats/${chatId}/me`);
    assert.deepEqual((await as(c.token)('GET', '/users/me/mentions')).json(), []);
  });

  it('notify levels: "mentions" pushes only mentions, "none" (muted) not even those, and they show in ChatInfo', async () => {
    const a = await userWithFcm(f.t);
    const b = await userWithFcm(f.t);
    const chatId = (await as(a.token)('POST', '/chats', { participants: [b.id] })).json().id;
    const B = as(b.token);
    assert.equal((await B('GET', `/chats/${chatId}`)).json().notify, 'all');
    const set = await B('PUT', `/chats/${chatId}/settings`, { notify: 'mentions' });
    assert.equal(set.statusCode, 200, set.body);
    assert.equal(set.json().notify, 'mentions');
    assert.equal(set.json().isMuted, false);
    await sendText(f.t, a, chatId, 'not for you');
    await sendText(f.t, a, chatId, `@${b.username} for you`);
    await eventually(() => fcmFor(b.pushToken).length === 1, 'the mention pushes');
    await pause(200);
    assert.deepEqual(
      fcmFor(b.pushToken).map((p) => p.message.notification.body),
      [`@${b.username} for you`],
    );
    const none = (await B('PUT', `/chats/${chatId}/settings`, { notify: 'none' })).json();
    assert.equal(none.isMuted, true);
    assert.equal(none.notify, 'none');
    await sendText(f.t, a, chatId, `@${b.username} still?`);
    await pause(300);
    assert.equal(fcmFor(b.pushToken).length, 1, 'muted: not even a mention');
    assert.equal(await f.t.app.core.ports.store.push.pending(), 0);
    // Unmuting is "all" again.
    assert.equal((await B('PUT', `/chats/${chatId}/settings`, { isMuted: false })).json().notify, 'all');
    await sendText(f.t, a, chatId, 'everything');
    await eventually(() => fcmFor(b.pushToken).length === 2, 'all again');
    assert.deepEqual(invalidNames(await B('PUT', `/chats/${chatId}/settings`, { notify: 'loud' })), ['notify']);
    assert.deepEqual(invalidNames(await B('PUT', `/chats/${chatId}/settings`, { notify: 'all', isMuted: true })), ['notify']);
    assert.equal((await B('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: 'ok' })).statusCode, 200);
  });
});
