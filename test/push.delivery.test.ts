/**
 * Push through the real app: who gets one (offline devices of the other participants, not
 * muted), what it says on each transport, and the outbox's retries, token invalidation and
 * logout. Runs on PostgreSQL too with PARLEY_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, register } from './helpers.js';
import { UNREGISTERED } from './push-stand-ins/fcm.js';
import { eventually, pause } from './push-stand-ins/tls.js';
import { chatOf, loginDevice, sendText, startPushFixture, userWithFcm, type PushFixture } from './push.helpers.js';
import { postgresService } from './services.js';
import { connect, listen } from './ws-helpers.js';

await postgresService();

describe('push delivery', () => {
  let f: PushFixture;
  let url: string;
  const fcmFor = (token: string) => f.fcm.received.filter((p) => p.message.token === token);
  // Outcomes the worker reports through the Metrics port (the app's default one, watched here).
  const outcomes: string[] = [];
  const count = (entry: string) => outcomes.filter((o) => o === entry).length;
  let restoreMetrics = () => {};
  const outboxEmpty = () => eventually(async () => (await f.t.app.core.ports.store.push.pending()) === 0, 'an empty outbox');

  before(async () => {
    f = await startPushFixture();
    url = await listen(f.t);
    const metrics = f.t.app.core.metrics;
    const original = metrics.pushOutcome;
    metrics.pushOutcome = (transport, outcome) => void outcomes.push(`${transport} ${outcome}`);
    restoreMetrics = () => (metrics.pushOutcome = original);
  });
  after(async () => {
    restoreMetrics();
    await f?.close();
  });

  it('pushes a message to the other participant’s devices on each transport, never to the author', async () => {
    const a = await userWithFcm(f.t);
    const b = await userWithFcm(f.t);
    await loginDevice(f.t, b, 'a0b1c2d3e4f5', 'apns');
    await loginDevice(f.t, b, f.web.subscribe(), 'web');
    const chatId = await chatOf(f.t, a, b);
    const message = await sendText(f.t, a, chatId, 'Hello from A');
    await eventually(() => fcmFor(b.pushToken).length === 1 && f.apns.received.length === 1 && f.web.received.length === 1, 'one push per transport');
    await outboxEmpty();
    assert.equal(fcmFor(a.pushToken).length, 0, 'the author gets no push');
    const name = `Name ${a.username}`;
    assert.deepEqual(fcmFor(b.pushToken)[0]!.message.notification, { title: name, body: 'Hello from A' });
    assert.deepEqual(fcmFor(b.pushToken)[0]!.message.data, { kind: 'message', chatId, messageId: String(message.id), badge: '1' });
    assert.deepEqual(f.apns.received[0]!.payload.aps.alert, { title: name, body: 'Hello from A' });
    assert.equal(f.apns.received[0]!.payload.aps.badge, 1);
    assert.equal(f.apns.received[0]!.token, 'a0b1c2d3e4f5');
    assert.deepEqual(f.web.received[0]!.payload, { title: name, body: 'Hello from A', badge: 1, kind: 'message', chatId, messageId: message.id });
    assert.deepEqual([...f.apns.refused, ...f.fcm.refused, ...f.web.refused], []);
    assert.deepEqual([count('apns sent'), count('fcm sent'), count('web sent')], [1, 1, 1], 'each counted as sent');
    // The badge counts every unread message of the recipient.
    await sendText(f.t, a, chatId, 'Second');
    await eventually(() => fcmFor(b.pushToken).length === 2, 'the second push');
    assert.equal(fcmFor(b.pushToken)[1]!.message.data.badge, '2');
  });

  it('skips a device with an open native socket, and pushes to it again once the socket is closed', async () => {
    const a = await userWithFcm(f.t);
    const b = await userWithFcm(f.t);
    const chatId = await chatOf(f.t, a, b);
    const socket = await connect(`${url}/ws?token=${b.token}`);
    await sendText(f.t, a, chatId, 'while online');
    await socket.waitFor('message');
    await pause(300);
    assert.equal(fcmFor(b.pushToken).length, 0, 'no push while its socket is open');
    socket.close();
    await socket.waitClosed();
    const sessionId = b.sessionId;
    const store = f.t.app.core.ports.store;
    await eventually(async () => (await store.push.onlineSessions([sessionId], 0)).size === 0, 'the presence row to go');
    await sendText(f.t, a, chatId, 'while offline');
    await eventually(() => fcmFor(b.pushToken).length === 1, 'a push after the socket closed');
    assert.equal(fcmFor(b.pushToken)[0]!.message.notification.body, 'while offline');
  });

  it('does not push a chat the participant muted', async () => {
    const a = await userWithFcm(f.t);
    const b = await userWithFcm(f.t);
    const chatId = await chatOf(f.t, a, b);
    assert.equal((await client(f.t.app, b.token)('PUT', `/chats/${chatId}/settings`, { isMuted: true })).statusCode, 200);
    await sendText(f.t, a, chatId, 'muted');
    await pause(300);
    assert.equal(fcmFor(b.pushToken).length, 0);
    assert.equal(await f.t.app.core.ports.store.push.pending(), 0, 'no row was even written');
    await client(f.t.app, b.token)('PUT', `/chats/${chatId}/settings`, { isMuted: false });
    await sendText(f.t, a, chatId, 'unmuted');
    await eventually(() => fcmFor(b.pushToken).length === 1, 'a push once unmuted');
  });

  it('clears a token the service calls invalid from its session', async () => {
    const a = await userWithFcm(f.t);
    const b = await userWithFcm(f.t);
    const chatId = await chatOf(f.t, a, b);
    f.fcm.answer = (push) => (push.message.token === b.pushToken ? UNREGISTERED : { status: 200, body: {} });
    const dropped = count('fcm dropped');
    try {
      await sendText(f.t, a, chatId, 'to a gone app');
      await eventually(() => fcmFor(b.pushToken).length === 1, 'the attempt');
      await outboxEmpty();
      const me = (await client(f.t.app, b.token)('GET', '/users/me')).json();
      assert.equal(me.deviceSessions[0].deviceInfo.token, undefined, 'the token is gone from the session');
      assert.equal(count('fcm dropped'), dropped + 1, 'counted as dropped');
      await sendText(f.t, a, chatId, 'again');
      await pause(300);
      assert.equal(fcmFor(b.pushToken).length, 1, 'no further attempt at that token');
    } finally {
      f.fcm.answer = () => ({ status: 200, body: {} });
    }
  });

  it('retries after a 5xx, with backoff, until the service takes it', async () => {
    const a = await userWithFcm(f.t);
    const b = await userWithFcm(f.t);
    const chatId = await chatOf(f.t, a, b);
    let failures = 2;
    const [failedBefore, sentBefore] = [count('fcm failed'), count('fcm sent')];
    f.fcm.answer = (push) =>
      push.message.token === b.pushToken && failures-- > 0 ? { status: 503, body: { error: { status: 'UNAVAILABLE' } } } : { status: 200, body: {} };
    try {
      await sendText(f.t, a, chatId, 'eventually');
      await eventually(() => fcmFor(b.pushToken).length === 3, 'two failed attempts and a third that succeeds');
      await outboxEmpty();
      await pause(300);
      assert.equal(fcmFor(b.pushToken).length, 3, 'nothing more once sent');
      assert.deepEqual([count('fcm failed') - failedBefore, count('fcm sent') - sentBefore], [2, 1], 'two failures, then sent');
    } finally {
      f.fcm.answer = () => ({ status: 200, body: {} });
    }
  });

  it('pushes nothing more after logout, even what was waiting for a retry', async () => {
    const a = await userWithFcm(f.t);
    const b = await userWithFcm(f.t);
    const chatId = await chatOf(f.t, a, b);
    f.fcm.answer = (push) => (push.message.token === b.pushToken ? { status: 503, body: {} } : { status: 200, body: {} });
    try {
      await sendText(f.t, a, chatId, 'before logout');
      await eventually(() => fcmFor(b.pushToken).length >= 1, 'a failed attempt');
      assert.equal((await client(f.t.app, b.token)('POST', '/users/me/logout')).statusCode, 200);
      f.fcm.answer = () => ({ status: 200, body: {} });
      const seen = fcmFor(b.pushToken).length;
      await outboxEmpty();
      await pause(400);
      assert.equal(fcmFor(b.pushToken).length, seen, 'no attempt after logout');
    } finally {
      f.fcm.answer = () => ({ status: 200, body: {} });
    }
  });

  it('pushes an auxiliary event whose realm is push or all, not a webSocket one', async () => {
    const a = await userWithFcm(f.t);
    const b = await userWithFcm(f.t);
    const chatId = await chatOf(f.t, a, b);
    const notify = (body: object) => client(f.t.app, a.token)('POST', `/chats/${chatId}/notify`, body);
    assert.equal((await notify({ name: 'typing_started' })).statusCode, 200);
    assert.equal((await notify({ name: 'call', text: 'Calling you', realm: 'push', data: { room: 5 } })).statusCode, 200);
    assert.equal((await notify({ name: 'ring', realm: 'all' })).statusCode, 200);
    await eventually(() => fcmFor(b.pushToken).length === 2, 'two auxiliary pushes');
    await pause(200);
    const [call, ring] = fcmFor(b.pushToken).sort((x, y) => x.message.data.name.localeCompare(y.message.data.name));
    assert.deepEqual(call!.message.notification, { title: `Name ${a.username}`, body: 'Calling you' });
    assert.deepEqual(call!.message.data, { kind: 'auxiliary', chatId, badge: '0', name: 'call', data: '{"room":5}' });
    assert.equal(ring!.message.notification.body, 'ring');
    assert.equal(fcmFor(b.pushToken).length, 2, 'typing (realm webSocket) is not pushed');
  });

  it('drops a waiting push when its message is deleted', async () => {
    const a = await userWithFcm(f.t);
    const b = await userWithFcm(f.t);
    const chatId = await chatOf(f.t, a, b);
    f.fcm.answer = (push) => (push.message.token === b.pushToken ? { status: 503, body: {} } : { status: 200, body: {} });
    try {
      const message = await sendText(f.t, a, chatId, 'regret');
      await eventually(() => fcmFor(b.pushToken).length >= 1, 'a failed attempt');
      assert.equal((await client(f.t.app, a.token)('DELETE', `/chats/${chatId}/messages/${message.id}`)).statusCode, 200);
      f.fcm.answer = () => ({ status: 200, body: {} });
      const seen = fcmFor(b.pushToken).length;
      await outboxEmpty();
      await pause(300);
      assert.equal(fcmFor(b.pushToken).length, seen);
    } finally {
      f.fcm.answer = () => ({ status: 200, body: {} });
    }
  });

  it('refuses a web token that is not a PushSubscription with 400, at login and in PUT /users/me/device', async () => {
    const bad = await f.t.app.inject({
      method: 'POST',
      url: '/users',
      payload: { name: 'W', username: `w${Date.now()}`, password: 'password123', deviceInfo: { token: 'nope', transport: 'web' } },
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      bad.json().invalid_parameters.map((p: { name: string }) => p.name),
      ['deviceInfo.token'],
    );
    const user = await register(f.t.app, { deviceInfo: { transport: 'web', token: f.web.subscribe() } });
    const as = client(f.t.app, user.token);
    for (const deviceToken of ['{"endpoint":"https://x.test/1"}', '{"endpoint":"http://x.test/1","keys":{"p256dh":"AA","auth":"AA"}}', 'not json']) {
      const res = await as('PUT', '/users/me/device', { deviceToken });
      assert.equal(res.statusCode, 400, deviceToken);
      assert.deepEqual(
        res.json().invalid_parameters.map((p: { name: string }) => p.name),
        ['deviceToken'],
      );
    }
    const fcmUser = await userWithFcm(f.t);
    const switched = await client(f.t.app, fcmUser.token)('PUT', '/users/me/device', { transport: 'web' });
    assert.equal(switched.statusCode, 400, 'an FCM token does not become a web subscription');
    assert.equal((await as('PUT', '/users/me/device', { deviceToken: f.web.subscribe() })).statusCode, 200);
    assert.equal((await client(f.t.app, fcmUser.token)('PUT', '/users/me/device', { transport: 'apns', deviceToken: 'abcdef' })).statusCode, 200);
  });
});
