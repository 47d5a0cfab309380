/**
 * The edge's answers for what no route serves: an unknown path is its family's 404 on every
 * method (the native socket's `/<DeviceSession.id>` takes only session ids, so `/search` is
 * not a 400), and the OpenAPI document marks no defaulted query parameter as required.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { register, startApp, type Registered, type TestApp } from './helpers.js';
import { connect, listen } from './ws-helpers.js';
import { documentedQuery } from '../src/api/system/docs.js';

describe('edge: unknown paths', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.destroy());

  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

  it('one-segment paths are the native 404 on every method', async () => {
    for (const url of ['/search', '/anything', '/x', '/users-list', '/12345', '/not-a-uuid-but-36-characters-long-xx']) {
      for (const method of methods) {
        const res = await t.app.inject({ method, url });
        assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.equal(res.json().type, 'urn:parley:problem:not_found', `${method} ${url}`);
      }
    }
  });

  it('deeper unknown paths answer the 404 of the family whose prefix they are under', async () => {
    for (const method of methods) {
      const native = await t.app.inject({ method, url: '/no/such/thing' });
      assert.equal(native.statusCode, 404);
      assert.equal(native.json().type, 'urn:parley:problem:not_found');
      // The prefix itself too: `/vapp` is not a session id.
      for (const url of ['/vapp/nothing-here', '/vapp']) {
        const vapp = await t.app.inject({ method, url });
        assert.equal(vapp.statusCode, 404, `${method} ${url}`);
        assert.deepEqual(Object.keys(vapp.json()).sort(), ['detail', 'title', 'type']);
        assert.equal(vapp.json().type, 'system:notfound');
      }
      for (const url of ['/api/v1/nothing-here', '/api/v1']) {
        const rooms = await t.app.inject({ method, url });
        assert.equal(rooms.statusCode, 404, `${method} ${url}`);
        assert.equal(rooms.json().error.type, 'NOT_FOUND');
        assert.equal(rooms.json().data, null);
      }
      // A known path with a method it does not serve.
      const wrongMethod = await t.app.inject({ method: 'PATCH', url: '/users/me/photos' });
      assert.equal(wrongMethod.statusCode, 404);
    }
  });

  it('a session id path is still the native socket: good token 101, another session’s 401', async () => {
    const me: Registered = await register(t.app);
    const other: Registered = await register(t.app);
    const base = await listen(t);
    const socket = await connect(`${base}/${me.sessionId}?token=${me.token}`);
    socket.close();
    // Upper case is the same UUID.
    const upper = await connect(`${base}/${me.sessionId.toUpperCase()}?token=${me.token}`).catch((e: { status?: number }) => e.status);
    assert.equal(upper, 401, 'an upper-case id names no session of this token (compared as given)');
    await assert.rejects(connect(`${base}/${other.sessionId}?token=${me.token}`), /401/);
  });
});

describe('edge: OpenAPI', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.destroy());

  it('a query parameter with a default (count, limit, offset) is not required', async () => {
    const doc = (await t.app.inject('/openapi.json')).json();
    let defaulted = 0;
    for (const [path, ops] of Object.entries<
      Record<string, { parameters?: Array<{ in: string; name: string; required?: boolean; schema?: { default?: unknown } }> }>
    >(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const p of op.parameters ?? []) {
          if (p.in !== 'query' || p.schema?.default === undefined) continue;
          defaulted++;
          assert.notEqual(p.required, true, `${method} ${path} ?${p.name} has a default but is required`);
        }
      }
    }
    assert.ok(defaulted >= 4, `only ${defaulted} defaulted query parameters found`);
    const history = doc.paths['/chats/{id}/messages'].get.parameters.find((p: { name: string }) => p.name === 'count');
    assert.notEqual(history.required, true);
    const rooms = doc.paths['/api/v1/messages'].get.parameters;
    // The rooms history takes `room` or `room_id` now (issue 18), so no documented query parameter
    // is required without a default any more: the rule is checked on the documenting step itself.
    assert.deepEqual(
      rooms.filter((p: { required?: boolean }) => p.required).map((p: { name: string }) => p.name),
      [],
    );
    const schema = { properties: { room: {} as { default?: unknown }, count: { default: 50 } }, required: ['room', 'count'] };
    assert.deepEqual(documentedQuery(schema)?.required, ['room'], 'a parameter without a default stays required');
  });
});
