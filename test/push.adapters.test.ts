/**
 * Each push adapter against a local stand-in that speaks its service's protocol and checks
 * its credentials: APNs over HTTP/2 (provider JWT), FCM HTTP v1 (OAuth2 assertion, then
 * Bearer), Web Push (VAPID signature, aes128gcm payload decrypted with the subscription key).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApnsSender } from '../src/adapters/push/apns.js';
import { createFcmSender } from '../src/adapters/push/fcm.js';
import { createWebPushSender } from '../src/adapters/push/web.js';
import type { PushNotification, PushSender } from '../src/ports/push.js';
import { startApnsStandIn, type ApnsStandIn } from './push-stand-ins/apns.js';
import { startFcmStandIn, UNREGISTERED, type FcmStandIn } from './push-stand-ins/fcm.js';
import { startWebPushStandIn, type WebPushStandIn } from './push-stand-ins/web.js';

const note: PushNotification = {
  kind: 'message',
  chatId: 'c0ffee00-0000-4000-8000-000000000001',
  messageId: '01890a5d-ac96-774b-bcce-b302099a8057',
  authorName: 'Ada',
  body: 'Hello there',
  badge: 3,
};

describe('APNs adapter', () => {
  let s: ApnsStandIn;
  let sender: PushSender;
  before(async () => {
    s = await startApnsStandIn();
    sender = await createApnsSender({ keyPem: s.keyPem, keyId: s.keyId, teamId: s.teamId, topic: s.topic, host: s.host, ca: s.ca });
  });
  after(async () => {
    await sender?.close?.();
    await s?.close();
  });

  it('posts to /3/device/<token> with the topic, push type and an ES256 provider JWT (kid, iss), reused', async () => {
    assert.deepEqual(await sender.send('a1b2c3', note), { status: 'sent' });
    assert.deepEqual(await sender.send('a1b2c3', { ...note, messageId: '01890a5d-ac96-774b-bcce-b302099a8058' }), { status: 'sent' });
    assert.deepEqual(s.refused, []);
    const [first, second] = s.received;
    assert.equal(first!.token, 'a1b2c3');
    assert.equal(first!.headers['apns-topic'], s.topic);
    assert.equal(first!.headers['apns-push-type'], 'alert');
    assert.deepEqual(first!.payload.aps.alert, { title: 'Ada', body: 'Hello there' });
    assert.equal(first!.payload.aps.badge, 3);
    assert.equal(first!.payload.chatId, note.chatId);
    assert.equal(first!.payload.messageId, '01890a5d-ac96-774b-bcce-b302099a8057');
    assert.equal(second!.jwt, first!.jwt, 'the provider token is cached, not signed per push');
  });

  it('reports 410 and 400 BadDeviceToken as an invalid token, 5xx and 429 as retry, other 4xx as rejected', async () => {
    const cases: Array<[number, string | undefined, string]> = [
      [410, 'Unregistered', 'invalidToken'],
      [400, 'BadDeviceToken', 'invalidToken'],
      [503, 'ServiceUnavailable', 'retry'],
      [429, 'TooManyRequests', 'retry'],
      [400, 'PayloadTooLarge', 'rejected'],
    ];
    for (const [status, reason, expected] of cases) {
      s.answer = () => ({ status, ...(reason ? { reason } : {}) });
      assert.equal((await sender.send('a1b2c3', note)).status, expected, `${status} ${reason}`);
    }
    s.answer = () => ({ status: 200 });
  });

  it('is refused by the stand-in when the JWT is signed by another key or names another team', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    for (const options of [
      { keyPem: otherKey, teamId: s.teamId },
      { keyPem: s.keyPem, teamId: 'OTHERTEAM1' },
    ]) {
      const wrong = await createApnsSender({ ...options, keyId: s.keyId, topic: s.topic, host: s.host, ca: s.ca });
      const refusedBefore = s.refused.length;
      assert.equal((await wrong.send('a1b2c3', note)).status, 'retry', 'a refused provider token is made anew and retried');
      assert.equal(s.refused.length, refusedBefore + 1);
      assert.match(s.refused.at(-1)!, /^JWT/);
      await wrong.close?.();
    }
  });

  it('reports a service that is down as retry', async () => {
    const down = await createApnsSender({ keyPem: s.keyPem, keyId: s.keyId, teamId: s.teamId, topic: s.topic, host: '127.0.0.1:1', ca: s.ca });
    assert.equal((await down.send('a1b2c3', note)).status, 'retry');
    await down.close?.();
  });
});

describe('FCM adapter', () => {
  let s: FcmStandIn;
  let sender: PushSender;
  before(async () => {
    s = await startFcmStandIn();
    sender = await createFcmSender({ serviceAccount: s.serviceAccount as never, apiUrl: s.url });
  });
  after(() => s?.close());

  it('exchanges an RS256 assertion for an access token once, then sends messages with it', async () => {
    const results = await Promise.all([sender.send('fcm-token-1', note), sender.send('fcm-token-1', note)]);
    assert.deepEqual(results, [{ status: 'sent' }, { status: 'sent' }]);
    assert.deepEqual(await sender.send('fcm-token-1', note), { status: 'sent' });
    assert.deepEqual(s.refused, []);
    assert.equal(s.tokenRequests, 1, 'the access token is kept until it expires');
    const { message } = s.received[0]!;
    assert.equal(message.token, 'fcm-token-1');
    assert.deepEqual(message.notification, { title: 'Ada', body: 'Hello there' });
    assert.deepEqual(message.data, { kind: 'message', chatId: note.chatId, messageId: '01890a5d-ac96-774b-bcce-b302099a8057', badge: '3' });
    assert.equal(message.apns.payload.aps.badge, 3);
    assert.equal(message.android.notification.notification_count, 3);
  });

  it('reports UNREGISTERED and INVALID_ARGUMENT on the token as invalid, 5xx as retry', async () => {
    s.answer = () => UNREGISTERED;
    assert.equal((await sender.send('gone', note)).status, 'invalidToken');
    s.answer = () => ({
      status: 400,
      body: {
        error: {
          status: 'INVALID_ARGUMENT',
          message: 'The registration token is not a valid FCM registration token',
          details: [{ fieldViolations: [{ field: 'message.token' }] }],
        },
      },
    });
    assert.equal((await sender.send('bad', note)).status, 'invalidToken');
    s.answer = () => ({ status: 400, body: { error: { status: 'INVALID_ARGUMENT', message: 'Invalid JSON payload' } } });
    assert.equal((await sender.send('fine', note)).status, 'rejected', 'a bad payload is not the token’s fault');
    s.answer = () => ({ status: 503, body: { error: { status: 'UNAVAILABLE' } } });
    assert.equal((await sender.send('fine', note)).status, 'retry');
    s.answer = () => ({ status: 200, body: {} });
  });
});

describe('Web Push adapter', () => {
  let s: WebPushStandIn;
  let sender: PushSender;
  before(async () => {
    s = await startWebPushStandIn();
    sender = createWebPushSender({ publicKey: s.env.VAPID_PUBLIC_KEY!, privateKey: s.env.VAPID_PRIVATE_KEY!, subject: s.env.VAPID_SUBJECT!, ca: s.ca });
  });
  after(async () => {
    await sender?.close?.();
    await s?.close();
  });

  it('signs with VAPID (aud = the endpoint origin) and encrypts aes128gcm for the subscription', async () => {
    assert.deepEqual(await sender.send(s.subscribe(), note), { status: 'sent' });
    assert.deepEqual(s.refused, []);
    assert.deepEqual(s.received[0]!.payload, {
      title: 'Ada',
      body: 'Hello there',
      badge: 3,
      kind: 'message',
      chatId: note.chatId,
      messageId: '01890a5d-ac96-774b-bcce-b302099a8057',
    });
  });

  it('reports 404 and 410 as an invalid token, 5xx as retry, a token that is no subscription as invalid', async () => {
    for (const [status, expected] of [
      [410, 'invalidToken'],
      [404, 'invalidToken'],
      [500, 'retry'],
      [429, 'retry'],
      [400, 'rejected'],
    ] as const) {
      s.answer = () => status;
      assert.equal((await sender.send(s.subscribe(), note)).status, expected, String(status));
    }
    s.answer = () => 201;
    assert.equal((await sender.send('not json', note)).status, 'invalidToken');
  });
});
