/**
 * Issue 24 item 8: honest answers when a dependency fails. The database unreachable
 * (PostgreSQL behind a proxy the test cuts, never the machine's server itself) or busy (SQLite
 * locked by another writer) answers 503 with `Retry-After` in every family's format; a full
 * disk (a blob write that meets ENOSPC, from /dev/full) answers 507 with `Retry-After`; and
 * `/readyz` says 503 while writes fail, even when the store still answers its ping.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import type { LightMyRequestResponse } from 'fastify';
import { client, register, startApp, type Registered, type TestApp } from './helpers.js';
import { upload } from './media-helpers.js';
import { createTestSchema, postgresService, type TestSchema } from './services.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { PASSWORD, vappSignup } from './vapp-helpers.js';
import { connect, listen, type TestSocket } from './ws-helpers.js';

const postgres = await postgresService();

function retryAfter(res: LightMyRequestResponse, seconds: number) {
  assert.equal(res.headers['retry-after'], String(seconds), `Retry-After on ${res.statusCode} ${res.body}`);
}

/** The native family's 503: problem+json. */
function nativeUnavailable(res: LightMyRequestResponse) {
  assert.equal(res.statusCode, 503, res.body);
  retryAfter(res, 5);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.type, 'urn:parley:problem:unavailable');
  assert.equal(body.title, 'Service Unavailable');
  assert.match(body.detail, /unavailable/);
}

describe('the database unreachable (PostgreSQL behind a cut proxy)', { skip: postgres.skip }, () => {
  let proxy: TcpProxy;
  let schema: TestSchema;
  let t: TestApp;
  let user: Registered;
  let vapp: { name: string; token: string };
  let socket: TestSocket;
  let chatId: string;
  before(async () => {
    schema = await createTestSchema();
    const url = new URL(schema.url);
    proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    t = await startApp({ DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: '2', RATE_LIMITS: 'off' });
    user = await register(t.app);
    vapp = await vappSignup(t.app);
    socket = await connect(`${await listen(t)}/ws?token=${user.token}`);
    chatId = (await client(t.app, user.token)('POST', '/chats', { title: 'outage', participants: [(await register(t.app)).id], isPersonal: false })).json().id;
    await proxy.cut();
  });
  after(async () => {
    socket?.ws.terminate();
    await t?.destroy().catch(() => {});
    await proxy?.close();
    await schema?.drop();
  });

  it('answers 503 with Retry-After in the native format', async () => {
    nativeUnavailable(await client(t.app, user.token)('GET', '/chats'));
    nativeUnavailable(await t.app.inject({ method: 'POST', url: '/users/login', payload: { username: user.username, password: user.password } }));
  });

  it('acks a native socket send with error "unavailable"', async () => {
    socket.send({ action: 'send', chatId, localId: randomUUID(), text: 'down', requestId: 'r1' });
    const [ack] = await socket.waitFor('ack');
    assert.equal(ack!.payload.ok, false, JSON.stringify(ack));
    assert.equal(ack!.payload.error, 'unavailable');
    assert.equal(ack!.payload.requestId, 'r1');
  });

  it('answers 503 with Retry-After in the V-app format', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/vapp/login', payload: { name: vapp.name, password: PASSWORD } });
    assert.equal(res.statusCode, 503, res.body);
    retryAfter(res, 5);
    const body = res.json();
    assert.equal(body.type, 'system:unavailable');
    assert.equal(body.title, 'Service Unavailable');
  });

  it('answers 503 with Retry-After in the rooms envelope', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/messages?room=lobby&count=5' });
    assert.equal(res.statusCode, 503, res.body);
    retryAfter(res, 5);
    const body = res.json();
    assert.equal(body.error.type, 'SERVICE_UNAVAILABLE');
    assert.equal(body.data, null);
  });

  it('says 503 on /readyz, and answers again once the database is back', async () => {
    const ready = await t.app.inject('/readyz');
    assert.equal(ready.statusCode, 503);
    assert.match(ready.json().checks.writes, /^failing: the database was unavailable/);
    await proxy.restore();
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await client(t.app, user.token)('GET', '/chats');
      if (res.statusCode === 200) break;
      assert.ok(Date.now() < deadline, `still ${res.statusCode} ${res.body}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});

describe('SQLite locked by another writer', () => {
  let t: TestApp;
  let user: Registered;
  before(async () => {
    t = await startApp({ RATE_LIMITS: 'off' });
    user = await register(t.app);
  });
  after(() => t?.destroy());

  it('answers a write 503 with Retry-After once the lock outlasts the busy timeout', { skip: process.env.PARLEY_TEST_STORE === 'postgres' }, async () => {
    const other = new SqliteDatabase(path.join(t.dataDir, 'parley.db'));
    try {
      other.exec('BEGIN EXCLUSIVE');
      nativeUnavailable(await client(t.app, user.token)('PUT', '/users/me', { name: 'Renamed' }));
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    assert.equal((await client(t.app, user.token)('PUT', '/users/me', { name: 'Renamed' })).statusCode, 200);
  });
});

describe('a full disk', () => {
  let t: TestApp;
  let user: Registered;
  before(async () => {
    t = await startApp({ RATE_LIMITS: 'off', READYZ_FAILURE_SECONDS: '30' });
    user = await register(t.app);
  });
  after(() => t?.destroy());

  it('answers an upload 507 with Retry-After, and /readyz 503 while the store still answers', async () => {
    assert.equal((await t.app.inject('/readyz')).statusCode, 200);
    const blobs = t.app.core.ports.blobs;
    const write = blobs.write.bind(blobs);
    // Every write meets a genuine ENOSPC (/dev/full), as on a full disk.
    blobs.write = async (_key, source) => {
      await pipeline(source, createWriteStream('/dev/full'));
      throw new Error('unreachable: /dev/full accepted the bytes');
    };
    try {
      const res = await upload(t.app, Buffer.alloc(4096, 1), { token: user.token, fileName: 'full-disk', contentType: 'application/octet-stream' });
      assert.equal(res.statusCode, 507, res.body);
      retryAfter(res, 30);
      const body = res.json();
      assert.equal(body.type, 'urn:parley:problem:insufficient_storage');
      assert.equal(body.title, 'Insufficient Storage');

      const ready = await t.app.inject('/readyz');
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.json().checks.store, 'ok');
      assert.match(ready.json().checks.writes, /^failing: out of storage space/);
    } finally {
      blobs.write = write;
    }
    // Space again: the same upload works without a restart.
    const again = await upload(t.app, Buffer.alloc(4096, 1), { token: user.token, fileName: 'full-disk', contentType: 'application/octet-stream' });
    assert.equal(again.statusCode, 200, again.body);
  });
});
