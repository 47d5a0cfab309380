/**
 * Two nodes behind one load balancer behave as one (SPEC 7): two apps on the same
 * PostgreSQL database and the same Redis, each spoken to through `inject`.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from './contract/bus.contract.js';
import { basic, bearer, problemOf, register, startApp, type TestApp } from './helpers.js';
import { pathOf, storedFiles, upload } from './media-helpers.js';
import { createTestSchema, postgresService, redisService, type TestSchema } from './services.js';
import { startTcpProxy } from './tcp-proxy.js';

const postgres = await postgresService();
const redis = await redisService();
const skip = postgres.skip || redis.skip;

const me = (t: TestApp, token: string) => t.app.inject({ url: '/users/me', headers: bearer(token) });

describe('two nodes on one PostgreSQL and one Redis', { skip }, () => {
  let schema: TestSchema;
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    schema = await createTestSchema();
    const env = { DATABASE_URL: schema.url, REDIS_URL: redis.url, REDIS_PREFIX: `parley-test-${randomUUID().slice(0, 8)}:`, RATE_LIMITS: 'login_user=3/15m' };
    // Both start at once on an empty database, as two replicas of a first deployment do.
    [a, b] = await Promise.all([startApp(env), startApp(env)]);
  });
  after(async () => {
    await Promise.all([a?.destroy(), b?.destroy()]);
    await schema?.drop();
  });

  it('accept each other’s tokens and publish the same signing keys', async () => {
    const onA = await register(a.app);
    const onB = await register(b.app);
    assert.equal((await me(b, onA.token)).json().id, onA.id);
    assert.equal((await me(a, onB.token)).json().id, onB.id);
    const login = await b.app.inject({ method: 'POST', url: '/users/login', headers: basic(onA.username, onA.password) });
    assert.equal(login.statusCode, 200);
    assert.equal((await me(a, login.json().token)).statusCode, 200);
    const jwks = async (t: TestApp) =>
      (await t.app.inject('/.well-known/jwks.json'))
        .json()
        .keys.map((k: { kid: string }) => k.kid)
        .sort();
    assert.deepEqual(await jwks(a), await jwks(b));
  });

  it('see one directory: users made on one node are found on the other', async () => {
    const made = await register(a.app, { name: `Scale ${randomUUID().slice(0, 6)}` });
    const viewer = await register(b.app);
    const found = await b.app.inject({ url: `/users?s=${encodeURIComponent(made.body.name)}`, headers: bearer(viewer.token) });
    assert.deepEqual(
      found.json().map((u: { id: number }) => u.id),
      [made.id],
    );
    problemOf(
      await a.app.inject({ method: 'POST', url: '/users', payload: { name: 'Dup', username: made.username.toUpperCase(), password: 'password123' } }),
      409,
    );
  });

  it('revoke a session on every node at once, and tell every node’s bus', async () => {
    const user = await register(a.app);
    const heardOnB: Array<{ userId: number; sessionIds: string[] }> = [];
    const unsubscribe = b.app.core.ports.bus.subscribe('sessions.revoked', (payload) => heardOnB.push(payload));
    try {
      assert.equal((await me(b, user.token)).statusCode, 200);
      assert.equal((await a.app.inject({ method: 'POST', url: '/users/me/logout', headers: bearer(user.token) })).statusCode, 200);
      problemOf(await me(b, user.token), 401);
      await eventually(() => assert.deepEqual(heardOnB, [{ userId: user.id, sessionIds: [user.sessionId] }]));
    } finally {
      unsubscribe();
    }
  });

  it('share uploads: a file uploaded on one node is served by the other, nothing on local disk', async () => {
    const user = await register(a.app);
    const bytes = randomBytes(300_000);
    const res = await upload(a.app, bytes, { token: user.token, contentType: 'application/octet-stream' });
    assert.equal(res.statusCode, 200, res.body);
    const file = pathOf(res.json().url);
    const whole = await b.app.inject(file);
    assert.equal(whole.statusCode, 200);
    assert.deepEqual(whole.rawPayload, bytes);
    const part = await b.app.inject({ url: file, headers: { range: 'bytes=262140-262150' } });
    assert.equal(part.statusCode, 206);
    assert.deepEqual(part.rawPayload, bytes.subarray(262_140, 262_151), 'a range across a chunk boundary');
    assert.ok(!existsSync(path.join(a.dataDir, 'uploads')) && !existsSync(path.join(b.dataDir, 'uploads')));
    assert.deepEqual(await storedFiles(a), await storedFiles(b));
  });

  it('count failed logins together', async () => {
    const user = await register(a.app);
    for (const t of [a, b, a]) problemOf(await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(user.username, 'wrong password') }), 401);
    problemOf(await b.app.inject({ method: 'POST', url: '/users/login', headers: basic(user.username, user.password) }), 429);
  });
});

describe('/readyz on the Redis bus', { skip: redis.skip }, () => {
  it('answers 503 with bus down while Redis is unreachable, and 200 once it is back', async () => {
    const target = new URL(redis.url);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
    const viaProxy = new URL(redis.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const t = await startApp({ REDIS_URL: viaProxy.toString(), REDIS_PREFIX: `parley-test-${randomUUID().slice(0, 8)}:` });
    try {
      assert.equal((await t.app.inject('/readyz')).statusCode, 200);
      await proxy.cut();
      await eventually(async () => {
        const res = await t.app.inject('/readyz');
        assert.equal(res.statusCode, 503);
        assert.equal(res.json().status, 'unavailable');
        assert.equal(res.json().checks.store, 'ok');
        assert.match(res.json().checks.bus, /^down: redis (publisher|subscriber) /);
      });
      await proxy.restore();
      await eventually(async () => assert.equal((await t.app.inject('/readyz')).statusCode, 200), 10_000);
    } finally {
      await t.destroy();
      await proxy.close();
    }
  });
});
