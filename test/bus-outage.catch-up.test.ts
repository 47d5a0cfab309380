/**
 * Issue 24 items 1 and 2: two nodes on one store and a Redis of the test's own. While Redis
 * is down, node B's sockets hear nothing node A publishes; once it is back, a native socket on
 * B catches up from the event log (every message sent on A meanwhile, in order, no duplicate,
 * without reconnecting), and the sockets of a session logged out on A meanwhile (native and
 * rooms) close with 4001.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { client, register, startApp, tempDir, type Registered, type TestApp } from './helpers.js';
import { ownRedisSkip, startOwnRedis, type OwnRedis } from './redis-process.js';
import { connect, listen, type TestSocket } from './ws-helpers.js';

/** Resolves on the bus's next `state` report on `t`'s node. */
function busReports(t: TestApp, state: 'down' | 'up'): Promise<void> {
  const bus = t.app.core.ports.bus;
  assert.ok(bus.onConnection, 'the Redis bus reports its connection');
  return new Promise((resolve) => {
    const stop = bus.onConnection!((s) => {
      if (s !== state) return;
      stop();
      resolve();
    });
  });
}

/** Resolves once `t`'s node can publish again (its /readyz checks both Redis connections); bounded. */
async function publishing(t: TestApp): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await t.app.inject('/readyz')).statusCode !== 200) {
    if (Date.now() > deadline) throw new Error('node A never reconnected to Redis');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('after a bus outage', { skip: ownRedisSkip() }, () => {
  let redis: OwnRedis;
  let nodeA: TestApp, nodeB: TestApp;
  let wsB: string;
  let a: Registered, b: Registered, d: Registered;
  let chatId: string;
  const sockets: TestSocket[] = [];
  before(async () => {
    redis = await startOwnRedis();
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: `catchup-${randomUUID().slice(0, 8)}:` };
    const dataDir = tempDir();
    nodeA = await startApp(env, { dataDir });
    nodeB = await startApp(env, { dataDir });
    wsB = await listen(nodeB);
    [a, b, d] = [await register(nodeA.app), await register(nodeA.app), await register(nodeA.app)];
    chatId = (await client(nodeA.app, a.token)('POST', '/chats', { title: 'outage', participants: [b.id], isPersonal: false })).json().id;
  });
  after(async () => {
    for (const s of sockets) s.ws.terminate();
    await nodeB?.close();
    await nodeA?.destroy();
    await redis?.kill();
  });

  const send = (text: string) => client(nodeA.app, a.token)('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text });
  const texts = (s: TestSocket) => s.of('message').map((f) => f.payload.text as string);

  it('catches a socket on the other node up on what it missed, and closes the sessions revoked meanwhile', async () => {
    const live = await connect(`${wsB}/ws?token=${b.token}`);
    const doomed = await connect(`${wsB}/ws?token=${d.token}`);
    const doomedRoom = await connect(`${wsB}/api/v1/rooms/outage${process.pid}/messages/ws`, [d.token]);
    sockets.push(live, doomed, doomedRoom);

    assert.equal((await send('before')).statusCode, 200);
    await live.until(() => texts(live).includes('before'), 5000, 'the message before the outage');

    const lost = busReports(nodeB, 'down');
    await redis.kill();
    await lost;
    const during = Array.from({ length: 20 }, (_, i) => `during ${i}`);
    for (const text of during) assert.equal((await send(text)).statusCode, 200);
    assert.equal((await client(nodeA.app, d.token)('POST', '/users/me/logout')).statusCode, 200);
    assert.deepEqual(texts(live), ['before'], 'nothing reached node B while Redis was down');

    const back = busReports(nodeB, 'up');
    await redis.restart();
    await back;
    await live.until(() => texts(live).length >= 21, 10_000, 'the 20 messages sent during the outage');
    await doomed.waitClosed(10_000);
    await doomedRoom.waitClosed(10_000);
    assert.equal(doomed.closed?.code, 4001);
    assert.equal(doomedRoom.closed?.code, 4001);

    // Live again, and nothing twice: one more message arrives after the caught-up ones.
    await publishing(nodeA);
    assert.equal((await send('after')).statusCode, 200);
    await live.until(() => texts(live).includes('after'), 10_000, 'the message after the outage');
    assert.deepEqual(texts(live), ['before', ...during, 'after']);
    const cursors = live.of('message').map((f) => f.cursor!);
    assert.deepEqual(
      cursors,
      [...cursors].sort((x, y) => x - y),
      'in cursor order',
    );
    assert.equal(live.closed, undefined, 'the socket was never closed');
  });
});
