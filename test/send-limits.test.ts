/**
 * The per-user send limit (issue 21, `RATE_LIMITS` `send_user`): REST answers 429 with
 * Retry-After, the socket acks `{ok: false, error: "rate_limited", retryAfter}` and stays open,
 * other users are unaffected, and the count survives a restart (it is kept in the store).
 * Runs on PostgreSQL with PARLEY_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { DEFAULT_RATE_LIMITS, loadConfig } from '../src/config.js';
import { client, configProblems, problemOf, register, startApp } from './helpers.js';
import { connect, listen } from './ws-helpers.js';

const LIMIT = { RATE_LIMITS: 'send_user=3/1m' };

describe('send limits', () => {
  it('defaults to 60 a minute, is set by send_user, and is lifted by RATE_LIMITS=off', () => {
    assert.deepEqual(DEFAULT_RATE_LIMITS.sendPerUser, { points: 60, durationSeconds: 60 });
    assert.deepEqual(loadConfig({ RATE_LIMITS: 'send_user=5/10s' }).rateLimits?.sendPerUser, { points: 5, durationSeconds: 10 });
    assert.equal(loadConfig({ RATE_LIMITS: 'off' }).rateLimits, null);
    assert.match(configProblems({ RATE_LIMITS: 'send_user=many' })[0]!, /RATE_LIMITS/);
  });

  it('answers 429 with Retry-After past the limit, per user, and keeps counting across a restart', async () => {
    const t = await startApp(LIMIT);
    const [a, b, c] = [await register(t.app), await register(t.app), await register(t.app)];
    const chat = (await client(t.app, a.token)('POST', '/chats', { participants: [b.id, c.id], isPersonal: false })).json();
    const send = (token: string, app = t.app) => client(app, token)('POST', `/chats/${chat.id}/messages`, { localId: randomUUID(), text: 'hello' });
    for (let i = 0; i < 3; i++) assert.equal((await send(a.token)).statusCode, 200);
    const refused = await send(a.token);
    problemOf(refused, 429);
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal((await send(b.token)).statusCode, 200, 'another user is unaffected');
    const history = (await client(t.app, c.token)('GET', `/chats/${chat.id}/messages`)).json();
    assert.equal(history.length, 4, 'the refused send stored nothing');
    await t.close();
    const restarted = await startApp(LIMIT, { dataDir: t.dataDir });
    problemOf(await send(a.token, restarted.app), 429);
    assert.equal((await send(c.token, restarted.app)).statusCode, 200);
    await restarted.destroy();
  });

  it('acks rate_limited with retryAfter over the socket, which stays open and counts with REST', async () => {
    const t = await startApp(LIMIT);
    try {
      const [a, b] = [await register(t.app), await register(t.app)];
      const chat = (await client(t.app, a.token)('POST', '/chats', { participants: [b.id] })).json();
      assert.equal((await client(t.app, a.token)('POST', `/chats/${chat.id}/messages`, { localId: randomUUID(), text: 'rest' })).statusCode, 200);
      const url = await listen(t);
      const socket = await connect(`${url}/ws?token=${a.token}`);
      for (let i = 0; i < 3; i++) socket.send({ action: 'send', chatId: chat.id, localId: randomUUID(), text: `socket ${i}`, requestId: String(i) });
      const acks = (await socket.waitFor('ack', 3)).map((f) => f.payload);
      const byRequest = new Map(acks.map((ack) => [ack.requestId, ack]));
      const okCount = acks.filter((ack) => ack.ok).length;
      assert.equal(okCount, 2, 'one REST send and two socket sends use the three');
      const limited = acks.find((ack) => !ack.ok)!;
      assert.equal(limited.error, 'rate_limited');
      assert.ok(limited.retryAfter > 0 && limited.retryAfter <= 60, `retryAfter ${limited.retryAfter}`);
      assert.equal(byRequest.size, 3);
      // The socket is still open and still acts.
      const last = acks.find((ack) => ack.ok)!;
      socket.send({ action: 'read', chatId: chat.id, messageId: last.messageId, requestId: 'read' });
      await socket.until(() => socket.of('ack').some((f) => f.payload.requestId === 'read' && f.payload.ok), 5000, 'the read ack');
      assert.equal(socket.closed, undefined);
      socket.close();
    } finally {
      await t.destroy();
    }
  });
});
