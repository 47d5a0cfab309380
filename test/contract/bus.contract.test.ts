// @one-pass: runs every adapter itself; the PostgreSQL + Redis pass would run it again unchanged.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createMemoryBus } from '../../src/adapters/bus/memory.js';
import { createRedisBus, type RedisBusOptions } from '../../src/adapters/bus/redis.js';
import { redisService } from '../services.js';
import { startTcpProxy } from '../tcp-proxy.js';
import { busContract, eventually } from './bus.contract.js';

const redis = await redisService();

busContract('memory', async () => createMemoryBus());
/** A prefix of its own per test, so test files running at once never hear each other. */
const freshPrefix = () => `parley-test-${randomUUID().slice(0, 8)}:`;
const openRedisBus = (options: RedisBusOptions = {}) => createRedisBus(redis.url, { prefix: freshPrefix(), ...options });

busContract('Redis', () => openRedisBus(), {
  skip: redis.skip,
  openPair: async () => {
    const prefix = freshPrefix();
    return Promise.all([createRedisBus(redis.url, { prefix, nodeId: 'node-a' }), createRedisBus(redis.url, { prefix, nodeId: 'node-b' })]);
  },
});

describe('Redis bus', { skip: redis.skip }, () => {
  const warnings: string[] = [];
  const logger = { warn: (_details: object, message: string) => warnings.push(message) };

  it('ignores malformed and foreign messages, and delivers well-formed ones from other nodes', async () => {
    const prefix = freshPrefix();
    const bus = await createRedisBus(redis.url, { prefix, nodeId: 'me', logger });
    const raw = new Redis(redis.url);
    try {
      const seen: unknown[] = [];
      bus.subscribe('user.updated', (payload) => seen.push(payload));
      const channel = `${prefix}user.updated`;
      await raw.publish(channel, 'not json');
      await raw.publish(channel, JSON.stringify({ node: 'other', payload: { userId: 1 } })); // no topic
      await raw.publish(channel, JSON.stringify({ node: 'other', topic: 'user.deleted', payload: { userId: 2 } })); // wrong channel
      await raw.publish(channel, 'null');
      await raw.publish(channel, JSON.stringify({ node: 'me', topic: 'user.updated', payload: { userId: 3 } })); // an echo
      await raw.publish(channel, JSON.stringify({ node: 'other', topic: 'user.updated', payload: { userId: 4 } }));
      await eventually(() => assert.deepEqual(seen, [{ userId: 4 }]));
      assert.equal(warnings.filter((w) => /malformed/.test(w)).length, 4);
      await bus.ping();
    } finally {
      raw.disconnect();
      await bus.close();
    }
  });

  it('keeps deployments with different prefixes apart', async () => {
    const [a, b] = await Promise.all([openRedisBus({ nodeId: 'a' }), openRedisBus({ nodeId: 'b' })]);
    try {
      const onB: unknown[] = [];
      b.subscribe('user.deleted', (p) => onB.push(p));
      await a.publish('user.deleted', { userId: 1 });
      await sleep(150);
      assert.deepEqual(onB, []);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps delivering when one handler throws', async () => {
    const bus = await openRedisBus({ logger });
    try {
      const seen: number[] = [];
      bus.subscribe('user.deleted', () => {
        throw new Error('handler bug');
      });
      bus.subscribe('user.deleted', ({ userId }) => seen.push(userId));
      await bus.publish('user.deleted', { userId: 9 });
      assert.deepEqual(seen, [9]);
      assert.ok(warnings.includes('a bus handler threw'));
    } finally {
      await bus.close();
    }
  });

  it('fails to start with a message naming Redis when nothing answers', async () => {
    const started = Date.now();
    await assert.rejects(
      createRedisBus('redis://:hunter2@127.0.0.1:1', { connectTimeoutMs: 1000 }),
      (error: Error) =>
        /^Cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED/.test(error.message) && !error.message.includes('hunter2'),
    );
    assert.ok(Date.now() - started < 2000);
  });

  it('fails ping while Redis is unreachable, then reconnects and resubscribes', async () => {
    const target = new URL(redis.url);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
    const viaProxy = new URL(redis.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const prefix = freshPrefix();
    const cutOff = await createRedisBus(viaProxy.toString(), { prefix, nodeId: 'cut-off', maxReconnectDelayMs: 200, logger });
    const other = await createRedisBus(redis.url, { prefix, nodeId: 'other' });
    try {
      const seen: number[] = [];
      cutOff.subscribe('user.updated', ({ userId }) => seen.push(userId));
      await proxy.cut();
      await eventually(() => assert.ok(warnings.some((w) => /connection lost/.test(w))));
      await assert.rejects(cutOff.ping(), /redis (publisher|subscriber) (connecting|reconnecting|close|end)/);
      // A publish still reaches this node's own handlers, then fails (soon) for the others.
      const started = Date.now();
      await assert.rejects(cutOff.publish('user.updated', { userId: -1 }));
      assert.ok(Date.now() - started < 3000, `publish failed after ${Date.now() - started} ms`);
      assert.deepEqual(seen, [-1]);
      await proxy.restore();
      await eventually(() => assert.ok(warnings.some((w) => /connection restored/.test(w))), 5000);
      await eventually(() => cutOff.ping(), 5000);
      // Resubscribed: an event from the other node reaches it again.
      const fromOther = () => seen.filter((id) => id >= 0);
      for (let i = 0; i < 50 && fromOther().length === 0; i++) {
        await other.publish('user.updated', { userId: i });
        await sleep(50);
      }
      assert.ok(fromOther().length > 0, 'events reach the node after it reconnected');
    } finally {
      await Promise.all([cutOff.close(), other.close()]);
      await proxy.close();
    }
  });
});
