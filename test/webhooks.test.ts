/**
 * Outgoing webhooks (issue 22): admin-only routes, private destinations refused, signed
 * deliveries that verify with the README's snippet, a receiver down for a few seconds getting
 * every event afterwards in order, and a receiver that never answers not slowing sends.
 * Runs on PostgreSQL too with PARLEY_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { client, problemOf, register, startApp, tempDir, type Registered, type TestApp } from './helpers.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1: records every POST; `answer` decides the status (or never answers). */
async function receiver(port = 0, answer: (r: Received) => number | 'hang' = () => 204) {
  const received: Received[] = [];
  const events = new EventEmitter();
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const r = { headers: req.headers, body };
      const status = answer(r);
      if (status === 'hang') return void hanging.push(res);
      received.push(r);
      res.writeHead(status).end();
      events.emit('received');
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    received,
    port: (server.address() as AddressInfo).port,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    /** Resolves once `count` deliveries have arrived. */
    async until(count: number) {
      while (received.length < count) await once(events, 'received');
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** The README's verification snippet, written out as a module and imported. */
async function readmeVerifier(): Promise<(secret: string, header: string, body: string) => boolean> {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const match = /<!-- webhook-verify-snippet -->\s*```js\n([\s\S]*?)```/.exec(readme);
  assert.ok(match, 'the README holds the verification snippet');
  const file = path.join(tempDir('parley-snippet-'), 'verify.mjs');
  writeFileSync(file, match[1]!);
  return (await import(pathToFileURL(file).href)).verifyParleySignature;
}

describe('outgoing webhooks', () => {
  let t: TestApp;
  let root: Registered;
  let other: Registered;
  let as: ReturnType<typeof client>;
  let chatId: string;

  before(async () => {
    t = await startApp({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1', WEBHOOK_RETRY_BASE_MS: '500', WEBHOOK_TIMEOUT_MS: '1000' });
    root = await register(t.app);
    other = await register(t.app);
    await t.app.core.admin.setRole(root.username, 'admin');
    as = client(t.app, root.token);
    chatId = (await as('POST', '/chats', { title: 'Hooked', participants: [other.id], isPersonal: false })).json().id;
  });
  after(() => t.destroy());

  /** The webhook's deliveries once `count` of them are delivered (the receiver hears of one before it is marked). */
  const deliveredList = async (hookId: string, count: number) => {
    for (;;) {
      const list = (await as('GET', `/admin/webhooks/${hookId}/deliveries`)).json() as any[];
      if (list.filter((d) => d.status === 'delivered').length >= count) return list;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const send = (text: string) => as('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text });
  const hookFor = async (url: string, extra: object = {}) => {
    const res = await as('POST', '/admin/webhooks', { url, events: ['message'], chatIds: [chatId], ...extra });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

  it('wakes the worker per event only while there may be webhooks (none yet: the events enqueue nothing)', async () => {
    const { webhooks } = t.app.core;
    assert.equal((await send('before any webhook')).statusCode, 200);
    assert.equal(webhooks.mayHaveDeliveries(), false, 'the list read for that event was empty');
    const hook = await hookFor('http://127.0.0.1:9/never');
    assert.equal(webhooks.mayHaveDeliveries(), true, 'a new webhook drops the list');
    assert.equal((await send('with a webhook')).statusCode, 200);
    assert.equal(webhooks.mayHaveDeliveries(), true);
    assert.equal((await as('DELETE', `/admin/webhooks/${hook.id}`)).statusCode, 200);
    assert.equal((await send('after it went')).statusCode, 200);
    assert.equal(webhooks.mayHaveDeliveries(), false);
  });

  it('refuses every route without a token (401) and for a non-admin (403)', async () => {
    const routes: Array<['GET' | 'POST' | 'DELETE', string, object?]> = [
      ['POST', '/admin/webhooks', { url: 'https://example.com/x', events: ['message'] }],
      ['GET', '/admin/webhooks'],
      ['GET', '/admin/webhooks/x'],
      ['DELETE', '/admin/webhooks/x'],
      ['GET', '/admin/webhooks/x/deliveries'],
    ];
    const user = client(t.app, other.token);
    for (const [method, url, payload] of routes) {
      problemOf(await t.app.inject({ method, url, ...(payload ? { payload } : {}) }), 401);
      problemOf(await user(method, url, payload), 403);
    }
  });

  it('refuses private and loopback destinations unless allowed, bad schemes and unknown events', async () => {
    const strict = await startApp();
    try {
      const admin = await register(strict.app);
      await strict.app.core.admin.setRole(admin.username, 'admin');
      const post = client(strict.app, admin.token);
      for (const url of [
        'http://127.0.0.1:9/x',
        'http://10.1.2.3/x',
        'http://192.168.1.1/x',
        'http://169.254.169.254/latest',
        'http://[::1]/x',
        'http://[::ffff:127.0.0.1]/x',
        'http://localhost/x',
      ]) {
        const body = problemOf(await post('POST', '/admin/webhooks', { url, events: ['message'] }), 400);
        assert.equal(body.invalid_parameters[0].name, 'url', url);
      }
      problemOf(await post('POST', '/admin/webhooks', { url: 'ftp://example.com/x', events: ['message'] }), 400);
      assert.deepEqual(
        problemOf(await post('POST', '/admin/webhooks', { url: 'http://93.184.215.14/x', events: ['message', 'nonsense'] }), 400).invalid_parameters.map(
          (p: any) => p.name,
        ),
        ['events'],
      );
      assert.equal((await post('POST', '/admin/webhooks', { url: 'http://93.184.215.14/x', events: ['message'] })).statusCode, 200, 'a public address is fine');
      assert.equal((await post('GET', '/admin/webhooks')).json().length, 1);
    } finally {
      await strict.destroy();
    }
    // Here 127.0.0.1 is allowed (WEBHOOK_ALLOW_HOSTS), other private addresses still are not.
    problemOf(await as('POST', '/admin/webhooks', { url: 'http://10.1.2.3/x', events: ['message'] }), 400);
  });

  it('signs each delivery so that the README snippet verifies it, and lists it as delivered', async () => {
    const verify = await readmeVerifier();
    const r = await receiver();
    try {
      const hook = await hookFor(r.url);
      assert.equal(typeof hook.secret, 'string');
      assert.equal((await as('GET', `/admin/webhooks/${hook.id}`)).json().secret, undefined, 'the secret is shown once');
      const sent = await send('signed hello');
      assert.equal(sent.statusCode, 200);
      await r.until(1);
      const [got] = r.received as [Received];
      assert.equal(got.headers['parley-event'], 'message');
      const header = String(got.headers['parley-signature']);
      assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
      assert.equal(verify(hook.secret, header, got.body), true);
      assert.equal(verify(hook.secret, header, got.body.replace('signed', 'forged')), false, 'a changed body fails');
      assert.equal(verify('another secret of length', header, got.body), false, 'another secret fails');
      const body = JSON.parse(got.body);
      assert.equal(body.event, 'message');
      assert.equal(body.chatId, chatId);
      assert.equal(body.data.message.text, 'signed hello');
      assert.equal(body.data.message.author.username, root.username);
      // The message's public id, as MessageInfo gives it.
      assert.equal(body.data.message.id, sent.json().id);
      assert.equal(body.data.message.authorId, root.id);
      const deliveries = await deliveredList(hook.id, 1);
      assert.equal(deliveries.length, 1);
      assert.equal(deliveries[0].status, 'delivered');
      assert.equal(deliveries[0].attempts, 1);
      assert.equal((await as('DELETE', `/admin/webhooks/${hook.id}`)).statusCode, 200);
      problemOf(await as('GET', `/admin/webhooks/${hook.id}/deliveries`), 404);
    } finally {
      await r.close();
    }
  });

  it('gives a receiver that was down for a few seconds every event afterwards, in order', async () => {
    // A free port with nothing listening on it: the receiver is down.
    const probe = await receiver();
    const port = probe.port;
    await probe.close();
    const hook = await hookFor(`http://127.0.0.1:${port}/hook`);
    for (let i = 1; i <= 5; i++) assert.equal((await send(`down ${i}`)).statusCode, 200);
    // Down until the first delivery has failed three times (0.5 s, 1 s, 2 s of backoff: a few seconds).
    const deliveriesOf = async () => (await as('GET', `/admin/webhooks/${hook.id}/deliveries`)).json() as any[];
    for (;;) {
      const oldest = (await deliveriesOf()).at(-1);
      if (oldest && oldest.attempts >= 3) {
        assert.equal(oldest.status, 'pending');
        assert.match(oldest.lastError, /ECONNREFUSED|connect/);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const later = (await deliveriesOf()).slice(0, -1);
    assert.ok(
      later.every((d) => d.attempts === 0),
      'later deliveries wait behind the first',
    );
    const r = await receiver(port);
    try {
      for (let i = 6; i <= 8; i++) assert.equal((await send(`down ${i}`)).statusCode, 200);
      await r.until(8);
      assert.deepEqual(
        r.received.map((x) => JSON.parse(x.body).data.message.text),
        [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `down ${i}`),
      );
      // Each delivery's signature is made when it is sent: a retried one carries a fresh `t`.
      const stamps = r.received.map((x) => Number(/t=(\d+)/.exec(String(x.headers['parley-signature']))![1]));
      assert.ok(stamps.every((s) => Math.abs(s - Date.now() / 1000) < 60));
      const listed = await deliveredList(hook.id, 8);
      assert.equal(listed.length, 8);
      assert.ok(listed.at(-1).attempts >= 4, 'the first one took its retries');
    } finally {
      await r.close();
      await as('DELETE', `/admin/webhooks/${hook.id}`);
    }
  });

  it('keeps sends fast while a receiver never answers', async () => {
    const r = await receiver(0, () => 'hang');
    try {
      const hook = await hookFor(r.url);
      const started = Date.now();
      for (let i = 0; i < 10; i++) assert.equal((await send(`slow ${i}`)).statusCode, 200);
      // Each attempt waits the whole WEBHOOK_TIMEOUT_MS (1 s): sends that waited on it would take 10 s.
      assert.ok(Date.now() - started < 5000, `10 sends took ${Date.now() - started} ms`);
      await as('DELETE', `/admin/webhooks/${hook.id}`);
    } finally {
      await r.close();
    }
  });
});
