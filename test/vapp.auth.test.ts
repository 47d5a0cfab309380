import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { basic, register, startApp, uniqueName, type TestApp } from './helpers.js';
import { defaultAvatar, PASSWORD, vappSignup } from './vapp-helpers.js';

const VALIDATION = { type: 'data:validation', title: 'Bad Request', detail: 'The request failed due to validation errors' };
const UNAUTHORIZED = { type: 'auth:unauthorized', title: 'Bad Request', detail: 'The request failed due to invalid credentials' };

describe('V-app sign-up, log-in and token', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.destroy());

  const post = (url: string, payload?: object) => t.app.inject({ method: 'POST', url: `/vapp${url}`, ...(payload ? { payload } : {}) });

  it('refuses invalid sign-ups with 403 data:validation and the seed’s reasons, every field at once', async () => {
    for (const payload of [undefined, {}]) {
      const res = await post('/signup', payload);
      assert.equal(res.statusCode, 403);
      assert.deepEqual(res.json(), {
        ...VALIDATION,
        invalid_parameters: [
          { name: 'name', reason: 'must exist' },
          { name: 'password', reason: 'must exist' },
          { name: 'display_name', reason: 'must exist' },
        ],
      });
    }
    const short = await post('/signup', { name: 'ab', password: 'seven77', display_name: 'Al' });
    assert.equal(short.statusCode, 403);
    assert.deepEqual(short.json(), {
      ...VALIDATION,
      invalid_parameters: [
        { name: 'name', reason: 'must be longer than 2 characters' },
        { name: 'password', reason: 'must be at least 8 characters' },
        { name: 'display_name', reason: 'must be longer than 2 characters' },
      ],
    });
    assert.equal(
      (await post('/signup', { name: 'anna', password: 'long enough', display_name: '  ab  ' })).json().invalid_parameters[0].reason,
      'must be longer than 2 characters',
    );
  });

  it('applies Parley’s username rules too, with a clear reason', async () => {
    const res = await post('/signup', { name: 'Ann Smith!', password: PASSWORD, display_name: 'Ann Smith' });
    assert.equal(res.statusCode, 403);
    assert.deepEqual(res.json().invalid_parameters, [{ name: 'name', reason: 'must be 3 to 32 characters of a-z, 0-9, ".", "_" or "-"' }]);
    const wrongType = await post('/signup', { name: 42, password: PASSWORD, display_name: 'Number' });
    assert.equal(wrongType.statusCode, 403);
    assert.equal(wrongType.json().type, 'data:validation');
    assert.equal(wrongType.json().invalid_parameters[0].name, 'name');
    const malformed = await t.app.inject({ method: 'POST', url: '/vapp/signup', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().type, 'data:malformed');
  });

  it('signs up with 201: the user, a token and everyone else', async () => {
    const other = await vappSignup(t.app);
    const name = uniqueName('Paul');
    const res = await post('/signup', { name, password: PASSWORD, display_name: '  Paul P  ' });
    assert.equal(res.statusCode, 201);
    const body = res.json();
    // `conversations` as the original backend answered them (the web client reads them).
    assert.deepEqual(Object.keys(body).sort(), ['conversations', 'token', 'user', 'users']);
    assert.deepEqual(body.conversations, []);
    assert.match(body.user.id, /^USR-[0-9a-f-]{36}$/);
    assert.deepEqual(body.user, { id: body.user.id, name: name.toLowerCase(), display_name: 'Paul P', image_url: defaultAvatar(name.toLowerCase()) });
    assert.equal(decodeJwt(body.token).sub, name.toLowerCase());
    assert.ok(
      body.users.some((u: any) => u.id === other.id && u.name === other.name && u.display_name === 'Vapp User' && u.image_url === defaultAvatar(other.name)),
    );
    assert.ok(!body.users.some((u: any) => u.id === body.user.id), 'the caller is not among the users');
    // The same account logs in natively (the V-app name is the username).
    assert.equal((await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(name, PASSWORD) })).statusCode, 200);
  });

  it('answers 409 "must be unique" for a taken name, whichever family took it', async () => {
    const taken = await vappSignup(t.app);
    const native = await register(t.app);
    for (const name of [taken.name, taken.name.toUpperCase(), native.username]) {
      const res = await post('/signup', { name, password: PASSWORD, display_name: 'Someone' });
      assert.equal(res.statusCode, 409);
      assert.deepEqual(res.json(), { ...VALIDATION, invalid_parameters: [{ name: 'name', reason: 'must be unique' }] });
    }
  });

  it('logs in with 200 and the same shape; a native account logs in too', async () => {
    const user = await vappSignup(t.app);
    const res = await post('/login', { name: user.name, password: PASSWORD });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(body.user, user.body.user);
    assert.ok(Array.isArray(body.users));
    assert.notEqual(body.token, user.token);
    const native = await register(t.app);
    const nativeLogin = await post('/login', { name: native.username, password: native.password });
    assert.equal(nativeLogin.statusCode, 200);
    assert.deepEqual(nativeLogin.json().user, {
      id: `USR-${native.uid}`,
      name: native.username,
      display_name: `Name ${native.username}`,
      image_url: defaultAvatar(native.username),
    });
  });

  it('answers wrong password and unknown user with the same 403 auth:unauthorized', async () => {
    const user = await vappSignup(t.app);
    const wrong = await post('/login', { name: user.name, password: 'not the password' });
    const unknown = await post('/login', { name: uniqueName('ghost'), password: 'not the password' });
    for (const res of [wrong, unknown]) {
      assert.equal(res.statusCode, 403);
      assert.deepEqual(res.json(), UNAUTHORIZED);
    }
    const missing = await post('/login', { name: user.name });
    assert.equal(missing.statusCode, 403);
    assert.deepEqual(missing.json(), { ...VALIDATION, invalid_parameters: [{ name: 'password', reason: 'must exist' }] });
  });

  it('refreshes the token with POST /token (200 {token}); bad credentials 403', async () => {
    const user = await vappSignup(t.app);
    const res = await post('/token', { name: user.name, password: PASSWORD });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(Object.keys(res.json()), ['token']);
    const claims = decodeJwt(res.json().token);
    assert.equal(claims.sub, user.name);
    assert.equal(claims.user_id, user.id);
    const bad = await post('/token', { name: user.name, password: 'wrong password' });
    assert.equal(bad.statusCode, 403);
    assert.deepEqual(bad.json(), UNAUTHORIZED);
  });

  it('documents its routes in /openapi.json', async () => {
    const doc = (await t.app.inject('/openapi.json')).json();
    for (const route of ['/vapp/signup', '/vapp/login', '/vapp/token', '/vapp/users', '/vapp/users/image', '/vapp/image']) {
      assert.ok(doc.paths[route], `${route} missing from /openapi.json`);
    }
  });

  it('answers unknown V-app routes with its own 404', async () => {
    const res = await t.app.inject('/vapp/nope');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().type, 'system:notfound');
  });
});

describe('V-app rate limits', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ RATE_LIMITS: 'login_user=3/15m,signup_ip=2/1h' });
  });
  after(() => t.destroy());

  it('counts failed logins with the native ones: 429 system:ratelimit with Retry-After', async () => {
    const user = await register(t.app);
    // Two native failures and one V-app failure use up the three.
    for (let i = 0; i < 2; i++)
      assert.equal((await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(user.username, 'wrong password') })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'POST', url: '/vapp/login', payload: { name: user.username, password: 'wrong password' } })).statusCode, 403);
    for (const url of ['/vapp/login', '/vapp/token']) {
      const res = await t.app.inject({ method: 'POST', url, payload: { name: user.username, password: user.password } });
      assert.equal(res.statusCode, 429, url);
      assert.equal(res.json().type, 'system:ratelimit');
      assert.equal(res.json().title, 'Too Many Requests');
      assert.ok(Number(res.headers['retry-after']) > 0);
    }
  });

  it('counts sign-ups per address', async () => {
    // register() above used one of the two.
    await vappSignup(t.app);
    const res = await t.app.inject({ method: 'POST', url: '/vapp/signup', payload: { name: uniqueName(), password: PASSWORD, display_name: 'Third' } });
    assert.equal(res.statusCode, 429);
    assert.equal(res.json().type, 'system:ratelimit');
  });
});
