import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, bearer, invalidNames, problemOf, register, startApp, uniqueName, type TestApp } from './helpers.js';

describe('POST /users (registration)', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.destroy());

  it('registers, opens a session and returns UserInfo with token and uid', async () => {
    const username = uniqueName('Reg');
    const res = await t.app.inject({
      method: 'POST',
      url: '/users',
      payload: {
        name: 'R',
        username,
        password: 'password123',
        email: `${username}@example.com`,
        deviceInfo: { id: 'f1b0c9e2-4a55-4ad9-9f5e-5b2b1a0e1c11', name: 'Phone', model: 'X', token: 'push', transport: 'fcm' },
      },
    });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.name, 'R', 'one-letter names are fine');
    assert.equal(body.username, username.toLowerCase(), 'usernames are case-folded');
    assert.equal(typeof body.id, 'number');
    assert.match(body.uid, /^[0-9a-f-]{36}$/);
    assert.deepEqual(body.photos, []);
    assert.equal(body.deviceSessions.length, 1);
    const [session] = body.deviceSessions;
    assert.equal(session.accessToken, body.token);
    assert.deepEqual(session.deviceInfo, { id: 'f1b0c9e2-4a55-4ad9-9f5e-5b2b1a0e1c11', name: 'Phone', model: 'X', token: 'push', transport: 'fcm' });
    assert.equal(session.ipAddress, '127.0.0.1');
    assert.ok(body.lastSeen);
    assert.equal(body.passwordHash, undefined);
    assert.ok(!JSON.stringify(body).includes('$argon2'), 'no hash ever leaves the server');
    const me = await t.app.inject({ url: '/users/me', headers: bearer(body.token) });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().email, `${username}@example.com`);
  });

  it('accepts an empty deviceInfo and empty strings in it', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/users',
      payload: { name: 'E', username: uniqueName(), password: 'password123', deviceInfo: { id: '', name: '', model: '', token: '', transport: '' } },
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().deviceSessions[0].deviceInfo, {});
  });

  it('refuses invalid fields with invalid_parameters naming each', async () => {
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ name: 'A', username: 'ab', password: 'password123' }, ['username']],
      [{ name: 'A', username: 'has space', password: 'password123' }, ['username']],
      [{ name: 'A', username: 'slash/name', password: 'password123' }, ['username']],
      [{ name: 'A', username: uniqueName(), password: 'short' }, ['password']],
      [{ name: '', username: uniqueName(), password: 'password123' }, ['name']],
      [{ name: '   ', username: uniqueName(), password: 'password123' }, ['name']],
      [{ name: 'x'.repeat(65), username: uniqueName(), password: 'password123' }, ['name']],
      [{ name: 'A', username: uniqueName(), password: 'password123', email: 'not-an-email' }, ['email']],
      [{ name: 'A', username: uniqueName(), password: 'password123', deviceInfo: { transport: 'carrier-pigeon' } }, ['deviceInfo.transport']],
      [{ username: uniqueName(), password: 'password123' }, ['name']],
      [{}, ['name', 'username', 'password']],
    ];
    for (const [payload, names] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/users', payload });
      const got = invalidNames(res);
      for (const name of names) assert.ok(got.includes(name), `${JSON.stringify(payload)}: ${name} not in ${got}`);
    }
    const long = await t.app.inject({ method: 'POST', url: '/users', payload: { name: 'A', username: uniqueName(), password: 'p'.repeat(1025) } });
    assert.ok(invalidNames(long).includes('password'));
  });

  it('answers 409 for a taken username (any case) or email', async () => {
    const first = await register(t.app, { email: `${uniqueName()}@example.com` });
    const again = await t.app.inject({
      method: 'POST',
      url: '/users',
      payload: { name: 'B', username: first.username.toUpperCase(), password: 'password123' },
    });
    assert.match(problemOf(again, 409).detail, /username/i);
    const email = first.body.email ?? (await t.app.inject({ url: '/users/me', headers: bearer(first.token) })).json().email;
    const sameEmail = await t.app.inject({
      method: 'POST',
      url: '/users',
      payload: { name: 'B', username: uniqueName(), password: 'password123', email: email.toUpperCase() },
    });
    assert.match(problemOf(sameEmail, 409).detail, /email/i);
  });

  it('refuses malformed bodies with 4xx, never 500', async () => {
    const bodies: Array<[string, string | undefined]> = [
      ['{"name": ', 'application/json'],
      ['not json', 'application/json'],
      ['[]', 'application/json'],
      ['"a string"', 'application/json'],
      ['null', 'application/json'],
      ['{"name": 1, "username": [], "password": {}}', 'application/json'],
      ['{"__proto__": {"admin": true}, "name": "x"}', 'application/json'],
      ['name=a&username=b', 'application/x-www-form-urlencoded'],
      ['', undefined],
    ];
    for (const [payload, type] of bodies) {
      const res = await t.app.inject({ method: 'POST', url: '/users', payload, headers: type ? { 'content-type': type } : {} });
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${payload}: ${res.statusCode} ${res.body}`);
      assert.equal(res.json().status, res.statusCode);
    }
  });

  it('refuses JSON bodies over 64 KB with 413', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/users',
      payload: { name: 'A', username: uniqueName(), password: 'password123', about: 'x'.repeat(70_000) },
    });
    problemOf(res, 413);
  });
});

describe('POST /users/login', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.destroy());

  it('logs in with Basic credentials and no body, an empty body or {}', async () => {
    const user = await register(t.app);
    for (const extra of [{}, { payload: '', headers: { 'content-type': 'application/json' } }, { payload: {} }]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/users/login',
        ...extra,
        headers: { ...basic(user.username, user.password), ...(extra.headers ?? {}) },
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.id, user.id);
      assert.equal(body.uid, user.uid);
      assert.equal(body.deviceSessions.length, 1);
      assert.equal(body.deviceSessions[0].accessToken, body.token);
      assert.notEqual(body.token, user.token);
    }
  });

  it('logs in with Basic credentials in any case of the username', async () => {
    const user = await register(t.app);
    const res = await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(user.username.toUpperCase(), user.password) });
    assert.equal(res.statusCode, 200);
  });

  it('logs in with a JSON body by username or by email', async () => {
    const email = `${uniqueName()}@example.com`;
    const user = await register(t.app, { email });
    const byName = await t.app.inject({ method: 'POST', url: '/users/login', payload: { username: user.username, password: user.password } });
    assert.equal(byName.statusCode, 200);
    const byEmail = await t.app.inject({ method: 'POST', url: '/users/login', payload: { email: email.toUpperCase(), password: user.password } });
    assert.equal(byEmail.statusCode, 200);
    assert.equal(byEmail.json().id, user.id);
    const me = await t.app.inject({ url: '/users/me', headers: bearer(byEmail.json().token) });
    assert.equal(me.statusCode, 200);
  });

  it('answers wrong password and unknown user with the same 401', async () => {
    const user = await register(t.app);
    const wrong = await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(user.username, 'wrong password') });
    const unknown = await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(uniqueName('ghost'), 'wrong password') });
    assert.deepEqual(problemOf(wrong, 401), problemOf(unknown, 401));
    const json = await t.app.inject({ method: 'POST', url: '/users/login', payload: { username: user.username, password: 'nope-nope' } });
    assert.deepEqual(problemOf(json, 401), problemOf(wrong, 401));
  });

  it('answers 400 when the JSON body lacks credentials', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/users/login', payload: { username: 'someone' } });
    assert.deepEqual(invalidNames(res), ['password']);
    const none = await t.app.inject({ method: 'POST', url: '/users/login', payload: {} });
    assert.deepEqual(invalidNames(none).sort(), ['password', 'username']);
    const garbage = await t.app.inject({ method: 'POST', url: '/users/login', headers: { authorization: 'Basic !!!' } });
    assert.ok([400, 401].includes(garbage.statusCode));
  });

  it('renews the session of a known device id; the old token stops working', async () => {
    const deviceInfo = { id: '0b6f2d1e-8f57-4b8e-9d0a-4a8d0c3f7a21', name: 'Laptop' };
    const user = await register(t.app, { deviceInfo });
    const again = await t.app.inject({
      method: 'POST',
      url: '/users/login',
      headers: basic(user.username, user.password),
      payload: { deviceInfo: { ...deviceInfo, name: 'Renamed' } },
    });
    assert.equal(again.statusCode, 200);
    const body = again.json();
    assert.equal(body.deviceSessions[0].id, user.sessionId, 'same session row');
    assert.equal(body.deviceSessions[0].deviceInfo.name, 'Renamed');
    problemOf(await t.app.inject({ url: '/users/me', headers: bearer(user.token) }), 401);
    const me = await t.app.inject({ url: '/users/me', headers: bearer(body.token) });
    assert.equal(me.json().deviceSessions.length, 1);
    // A different device opens a second session.
    const other = await t.app.inject({
      method: 'POST',
      url: '/users/login',
      headers: basic(user.username, user.password),
      payload: { deviceInfo: { id: 'another-device' } },
    });
    assert.equal(other.statusCode, 200);
    const sessions = (await t.app.inject({ url: '/users/me', headers: bearer(body.token) })).json().deviceSessions;
    assert.equal(sessions.length, 2);
    assert.ok(
      sessions.every((s: any) => s.accessToken === undefined),
      'GET /users/me never shows tokens',
    );
  });

  it('lets a user registered natively log in with the same password after many concurrent logins from one new device', async () => {
    const user = await register(t.app);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.app.inject({ method: 'POST', url: '/users/login', headers: basic(user.username, user.password), payload: { deviceInfo: { id: 'racing-device' } } }),
      ),
    );
    assert.ok(
      results.every((r) => r.statusCode === 200),
      results.map((r) => r.statusCode).join(),
    );
    const sessions = (await t.app.inject({ url: '/users/me', headers: bearer(user.token) })).json().deviceSessions;
    assert.equal(sessions.filter((s: any) => s.deviceInfo.id === 'racing-device').length, 1);
  });
});
