/**
 * Push on two nodes (two apps on one PostgreSQL schema and one Redis): a socket open on node
 * A keeps node B from pushing to that device, and with both nodes' workers draining the same
 * outbox every push goes out exactly once. Also: PUSH_PREVIEW=hidden keeps the text out.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from './helpers.js';
import { startFcmStandIn, type FcmStandIn } from './push-stand-ins/fcm.js';
import { eventually, pause } from './push-stand-ins/tls.js';
import { chatOf, sendText, userWithFcm } from './push.helpers.js';
import { createTestSchema, postgresService, redisService } from './services.js';
import { connect, listen } from './ws-helpers.js';

const [postgres, redis] = await Promise.all([postgresService(), redisService()]);

describe('push on two nodes', { skip: postgres.skip || redis.skip }, () => {
  let fcm: FcmStandIn;
  let a: TestApp;
  let b: TestApp;
  const fcmFor = (token: string) => fcm.received.filter((p) => p.message.token === token);

  before(async () => {
    fcm = await startFcmStandIn();
    const schema = await createTestSchema();
    const env = {
      DATABASE_URL: schema.url,
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: redis.url,
      REDIS_PREFIX: `parley-push-${randomUUID().slice(0, 8)}:`,
      ...fcm.env,
      PUSH_PREVIEW: 'hidden',
      PUSH_RETRY_BASE_MS: '50',
    };
    a = await startApp(env);
    b = await startApp(env);
  });
  after(async () => {
    await a?.destroy();
    await b?.destroy();
    await fcm?.close();
  });

  it('a socket on node A keeps node B from pushing to that device; closed, B pushes', async () => {
    const url = await listen(a);
    const author = await userWithFcm(b);
    const reader = await userWithFcm(b);
    const chatId = await chatOf(b, author, reader);
    const socket = await connect(`${url}/ws?token=${reader.token}`);
    await sendText(b, author, chatId, 'secret plans');
    await socket.waitFor('message');
    await pause(300);
    assert.equal(fcmFor(reader.pushToken).length, 0, 'no push while the socket is open on the other node');
    socket.close();
    await socket.waitClosed();
    await eventually(async () => (await b.app.core.ports.store.push.onlineSessions([reader.sessionId], 0)).size === 0, 'presence to go');
    await sendText(b, author, chatId, 'more secret plans');
    await eventually(() => fcmFor(reader.pushToken).length === 1, 'the push once offline');
    assert.deepEqual(fcmFor(reader.pushToken)[0]!.message.notification, { title: `Name ${author.username}`, body: 'New message' }, 'the text stays hidden');
  });

  it('pushes each message exactly once with both nodes draining the outbox', async () => {
    const author = await userWithFcm(a);
    const reader = await userWithFcm(a);
    const chatId = await chatOf(a, author, reader);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(String((await sendText(i % 2 ? a : b, author, chatId, `m${i}`)).id));
    await eventually(() => fcmFor(reader.pushToken).length >= ids.length, 'every push');
    await pause(500);
    assert.deepEqual(
      fcmFor(reader.pushToken)
        .map((p) => p.message.data.messageId)
        .sort(),
      ids.sort(),
    );
  });
});
