/**
 * Data export: `POST /users/me/export` starts it, `GET` answers 202 while it runs and then the
 * JSON Lines file, which holds exactly the caller's data (profile, sessions without tokens,
 * contacts, chats, own messages and uploads) and nobody else's; it expires after a day. On two
 * real nodes (PostgreSQL, Redis, BLOB_STORE=postgres) the node that did not write it serves it.
 * The in-process tests run on PostgreSQL too with PARLEY_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { eventually } from './cli-helpers.js';
import { basic, bearer, client, problemOf, register, startApp, type Registered, type TestApp } from './helpers.js';
import { makePng, upload } from './media-helpers.js';
import { postgresService } from './services.js';
import { nodeServices, startNodes, type Nodes } from './two-nodes.js';

await postgresService();
const services = await nodeServices();

const DAY = 24 * 3600 * 1000;
const parse = (body: string) =>
  body
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; [key: string]: unknown });

describe('data export', () => {
  let t: TestApp;
  let now = Date.now();
  let me: Registered;
  let other: Registered;

  before(async () => {
    t = await startApp({}, { clock: { now: () => now } });
    me = await register(t.app, { email: `me${randomUUID().slice(0, 8)}@example.com` });
    other = await register(t.app, { email: `other${randomUUID().slice(0, 8)}@example.com` });
  });
  after(() => t.destroy());

  const download = async (token: string) => {
    let res = await t.app.inject({ url: '/users/me/export', headers: bearer(token) });
    await eventually(async () => {
      res = await t.app.inject({ url: '/users/me/export', headers: bearer(token) });
      assert.notEqual(res.statusCode, 202);
    });
    return res;
  };

  it('answers 401 without a token and 404 before any export', async () => {
    problemOf(await t.app.inject({ method: 'POST', url: '/users/me/export' }), 401);
    problemOf(await t.app.inject({ url: '/users/me/export' }), 401);
    problemOf(await t.app.inject({ url: '/users/me/export', headers: bearer(me.token) }), 404);
  });

  it('holds exactly the caller’s data and nobody else’s', async () => {
    const M = client(t.app, me.token);
    const O = client(t.app, other.token);
    await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(me.username, me.password) });
    const chatId = (await M('POST', '/chats', { title: 'Shared', participants: [other.id], isPersonal: false })).json().id;
    const otherChat = (await O('POST', '/chats', { title: 'Not mine', participants: [(await register(t.app)).id], isPersonal: false })).json().id;
    await M('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: 'my own words' });
    await O('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: 'the other’s words' });
    await O('POST', `/chats/${otherChat}/messages`, { localId: randomUUID(), text: 'elsewhere' });
    assert.equal((await M('POST', '/users/me/contacts', { name: 'Friend', user: { id: other.id } })).statusCode, 200);
    const mine = (await upload(t.app, await makePng(10, 10), { token: me.token, contentType: 'image/png' })).json().name.split('.')[0];
    const theirs = (await upload(t.app, await makePng(10, 10), { token: other.token, contentType: 'image/png' })).json().name.split('.')[0];

    const started = await M('POST', '/users/me/export');
    assert.equal(started.statusCode, 202, started.body);
    assert.equal(started.json().status, 'running');
    const res = await download(me.token);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
    assert.match(String(res.headers['content-disposition']), /attachment/);
    const lines = parse(res.body);
    const of = (type: string) => lines.filter((l) => l.type === type);
    assert.equal(of('export').length, 1);
    assert.deepEqual(
      of('profile').map((p) => [p.id, p.username, p.email]),
      [[me.id, me.username, me.body.email]],
    );
    assert.equal(of('session').length, 2);
    assert.deepEqual(
      of('contact').map((c) => c.userId),
      [other.id],
    );
    assert.deepEqual(
      of('chat').map((c) => c.id),
      [chatId],
    );
    assert.deepEqual(
      of('message').map((m) => m.text),
      ['my own words'],
    );
    assert.deepEqual(
      of('upload').map((u) => u.id),
      [mine],
    );
    // Nothing of anyone else's, and no token or password material.
    for (const secret of [me.token, 'the other’s words', 'elsewhere', theirs, other.body.email, otherChat, 'passwordHash', 'tokenId'])
      assert.ok(!res.body.includes(secret), `the export holds ${secret}`);
  });

  it('answers a running export while one runs, replaces a finished one, and expires after a day', async () => {
    const user = await register(t.app);
    const U = client(t.app, user.token);
    await U('POST', '/users/me/export');
    assert.equal((await download(user.token)).statusCode, 200);
    const first = await t.app.core.ports.store.exports.find(user.id);
    assert.equal((await U('POST', '/users/me/export')).statusCode, 202);
    assert.equal((await download(user.token)).statusCode, 200);
    const second = await t.app.core.ports.store.exports.find(user.id);
    assert.notEqual(second!.blobKey, first!.blobKey);
    assert.ok(!(await t.app.core.ports.blobs.list()).includes(first!.blobKey!), 'the replaced file is gone');

    now += DAY + 1000;
    const fresh = (await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(user.username, user.password) })).json().token;
    problemOf(await t.app.inject({ url: '/users/me/export', headers: bearer(fresh) }), 404);
    assert.ok((await t.app.core.exports.sweepExpired()) >= 1);
    assert.ok(!(await t.app.core.ports.blobs.list()).includes(second!.blobKey!), 'the expired file is gone');
    assert.equal(await t.app.core.ports.store.exports.find(user.id), undefined);
  });

  it('goes with the account: its file is deleted with the user', async () => {
    const user = await register(t.app);
    await client(t.app, user.token)('POST', '/users/me/export');
    assert.equal((await download(user.token)).statusCode, 200);
    const key = (await t.app.core.ports.store.exports.find(user.id))!.blobKey!;
    await t.app.core.admin.deleteUser(user.id);
    assert.ok(!(await t.app.core.ports.blobs.list()).includes(key));
  });
});

describe('data export on two nodes', { skip: services.skip }, () => {
  let nodes: Nodes;
  before(async () => (nodes = await startNodes({ BLOB_STORE: 'postgres' })));
  after(() => nodes?.close());

  it('is started on one node and downloaded from the other', async () => {
    const res = await fetch(`${nodes.a.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `exp${randomUUID().slice(0, 8)}`, name: 'Exporter', password: 'correct horse battery' }),
    });
    const { token, id } = (await res.json()) as { token: string; id: number };
    const auth = { authorization: `Bearer ${token}` };
    assert.equal((await fetch(`${nodes.a.url}/users/me/export`, { method: 'POST', headers: auth })).status, 202);
    let answer: Response | undefined;
    await eventually(async () => {
      answer = await fetch(`${nodes.b.url}/users/me/export`, { headers: auth });
      assert.equal(answer.status, 200);
    }, 15_000);
    const lines = parse(await answer!.text());
    assert.equal(lines.find((l) => l.type === 'profile')?.id, id);
  });
});
