/**
 * Issue 24 item 3: while Redis is down (killed, or frozen: connected but silent) a send is
 * stored and answered 200 at once, never a 500 after ~10 s; the publish failure is counted.
 * Uses a Redis of its own on another port, never the machine's.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { client, register, startApp, type Registered, type TestApp } from './helpers.js';
import { ownRedisSkip, startOwnRedis, type OwnRedis } from './redis-process.js';

/** Polls `check` until it passes (bounded). */
async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('sends while the bus is down', { skip: ownRedisSkip() }, () => {
  let redis: OwnRedis;
  let t: TestApp;
  let a: Registered, b: Registered;
  let A: ReturnType<typeof client>;
  let chatId: string;
  before(async () => {
    redis = await startOwnRedis();
    t = await startApp({ REDIS_URL: redis.url, REDIS_PREFIX: `outage-${randomUUID().slice(0, 8)}:` });
    [a, b] = [await register(t.app), await register(t.app)];
    A = client(t.app, a.token);
    chatId = (await A('POST', '/chats', { title: 'outage', participants: [b.id], isPersonal: false })).json().id;
  });
  after(async () => {
    await t?.destroy();
    await redis?.kill();
  });

  const send = (text: string) => A('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text });
  const history = async () => (await A('GET', `/chats/${chatId}/messages?count=200`)).json().map((m: { text: string }) => m.text) as string[];
  const ready = () => eventually(async () => assert.equal((await t.app.inject('/readyz')).statusCode, 200));

  /** Sends `count` messages one after another; each must answer 200 within `boundMs`. */
  async function sendsAnswerQuickly(label: string, count: number, boundMs: number) {
    for (let i = 0; i < count; i++) {
      const started = Date.now();
      const res = await send(`${label} ${i}`);
      const took = Date.now() - started;
      assert.equal(res.statusCode, 200, `${label} ${i}: ${res.statusCode} ${res.body}`);
      assert.equal(res.json().text, `${label} ${i}`);
      assert.ok(took < boundMs, `${label} ${i} took ${took} ms`);
    }
  }

  it('answers 200 at once with Redis killed, and the messages are stored', async () => {
    await ready();
    assert.equal((await send('before')).statusCode, 200);
    await redis.kill();
    await sendsAnswerQuickly('killed', 5, 1000);
    const texts = await history();
    for (let i = 0; i < 5; i++) assert.ok(texts.includes(`killed ${i}`), `killed ${i} is stored`);
    const metrics = (await t.app.inject('/metrics')).body;
    assert.match(metrics, /reason="bus_publish_failed"} [1-9]/);
  });

  it('answers 200 within the command timeout with Redis frozen (connected, silent)', async () => {
    await redis.restart();
    await ready();
    redis.freeze();
    try {
      await sendsAnswerQuickly('frozen', 2, 3500);
    } finally {
      redis.thaw();
    }
    const texts = await history();
    assert.ok(texts.includes('frozen 0') && texts.includes('frozen 1'));
  });

  it('publishes again once Redis is back', async () => {
    await ready();
    const seen: string[] = [];
    const stop = t.app.core.ports.bus.subscribe('chat.event', (e) => e.message && seen.push(e.message.message.text));
    try {
      await eventually(async () => {
        const res = await send('after');
        assert.equal(res.statusCode, 200);
        assert.ok((await t.app.inject('/readyz')).statusCode === 200);
      });
      assert.ok(seen.includes('after'));
    } finally {
      stop();
    }
  });
});
