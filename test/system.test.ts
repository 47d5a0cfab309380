import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from './helpers.js';

describe('system routes', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.destroy());

  it('answers /healthz and /readyz', async () => {
    assert.deepEqual((await t.app.inject('/healthz')).json(), { status: 'ok' });
    const ready = await t.app.inject('/readyz');
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json().checks, { store: 'ok', bus: 'ok', writes: 'ok' });
  });

  it('publishes the signing key as a JWKS', async () => {
    const res = await t.app.inject('/.well-known/jwks.json');
    assert.equal(res.statusCode, 200);
    const { keys } = res.json();
    assert.equal(keys.length, 1);
    assert.equal(keys[0].kty, 'OKP');
    assert.equal(keys[0].crv, 'Ed25519');
    assert.equal(keys[0].alg, 'EdDSA');
    assert.equal(typeof keys[0].kid, 'string');
    assert.equal(keys[0].d, undefined, 'the private part must never be published');
  });

  it('serves OpenAPI 3.1 with every USERS route, and /docs', async () => {
    const doc = (await t.app.inject('/openapi.json')).json();
    assert.equal(doc.openapi, '3.1.0');
    const routes = Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const route of [
      'POST /users',
      'POST /users/login',
      'GET /users/me',
      'POST /users/me/logout',
      'PUT /users/me/changePassword',
      'PUT /users/me/setAccountKey',
      'PUT /users/resetPassword',
      'PUT /users/me',
      'PUT /users/me/device',
      'GET /users/{id}',
      'GET /users',
      'DELETE /users/me',
    ]) {
      assert.ok(routes.includes(route), `${route} missing from /openapi.json`);
    }
    const docs = await t.app.inject('/docs/');
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /swagger/i);
  });

  it('answers unknown routes with a problem document', async () => {
    const res = await t.app.inject('/no/such/route');
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
  });

  it('echoes a request id given in x-request-id', async () => {
    const res = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(res.headers['x-request-id'], 'abc-123');
    const made = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'not an id\u0000' } });
    assert.match(String(made.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });
});

describe('logs', () => {
  it('never write a ?token= access token', async () => {
    const { serializeRequest } = await import('../src/app.js');
    const logged = serializeRequest({ method: 'GET', url: '/users/me?s=1&token=eyJsecret.part.sig&x=2', ip: '::1' });
    assert.equal(logged.url, '/users/me?s=1&token=***&x=2');
    assert.ok(!JSON.stringify(logged).includes('eyJsecret'));
  });
});

describe('CORS', () => {
  it('answers preflight only for configured origins', async () => {
    const t = await startApp({ CORS_ORIGINS: 'https://chat.example.com' });
    try {
      const allowed = await t.app.inject({
        method: 'OPTIONS',
        url: '/users/me',
        headers: { origin: 'https://chat.example.com', 'access-control-request-method': 'GET' },
      });
      assert.equal(allowed.headers['access-control-allow-origin'], 'https://chat.example.com');
      const other = await t.app.inject({
        method: 'OPTIONS',
        url: '/users/me',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
      });
      assert.equal(other.headers['access-control-allow-origin'], undefined);
    } finally {
      await t.destroy();
    }
  });
});
