/**
 * The admin routes (`/admin/…`): 401 without a token and 403 for a non-admin on every one of
 * them first, then each action through `inject`, and a socket of a disabled account closing.
 * Runs on PostgreSQL too with PARLEY_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { after, before, describe, it } from 'node:test';
import { basic, bearer, client, problemOf, register, startApp, uniqueName, type Registered, type TestApp, registerAdmin } from './helpers.js';
import { postgresService } from './services.js';
import { connect, listen } from './ws-helpers.js';

await postgresService();

const ROUTES: Array<{ method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; payload?: object }> = [
  { method: 'POST', url: '/admin/users', payload: { username: 'someone', name: 'S', password: 'long enough pw' } },
  { method: 'GET', url: '/admin/users/1' },
  { method: 'PUT', url: '/admin/users/1/disable' },
  { method: 'PUT', url: '/admin/users/1/enable' },
  { method: 'PUT', url: '/admin/users/1/password', payload: { password: 'long enough pw' } },
  { method: 'PUT', url: '/admin/users/1/role', payload: { role: 'admin' } },
  { method: 'GET', url: '/admin/users/1/sessions' },
  { method: 'DELETE', url: '/admin/users/1/sessions' },
  { method: 'DELETE', url: `/admin/sessions/${randomUUID()}` },
  { method: 'POST', url: '/admin/keys/rotate' },
];

describe('admin routes', () => {
  let t: TestApp;
  let root: Registered;
  let as: ReturnType<typeof client>;
  const login = (username: string, password: string) => t.app.inject({ method: 'POST', url: '/users/login', headers: basic(username, password) });

  before(async () => {
    t = await startApp();
    ({ root, as } = await registerAdmin(t.app));
  });
  after(() => t.destroy());

  it('answers 401 without a token and 403 to a non-admin, on every route, and changes nothing', async () => {
    const plain = await register(t.app);
    for (const route of ROUTES) {
      problemOf(await t.app.inject(route), 401);
      assert.match(problemOf(await t.app.inject({ ...route, headers: bearer(plain.token) }), 403).detail, /administrators/);
    }
    assert.equal((await t.app.core.admin.findUser(plain.id)).role, 'user');
    assert.equal((await login(plain.username, plain.password)).statusCode, 200);
  });

  it('answers 400 with invalid_parameters for bad bodies and ids, 404 for unknown accounts and sessions', async () => {
    const bad = await as('POST', '/admin/users', { username: 'x', name: '', password: 'short' });
    assert.deepEqual(
      problemOf(bad, 400)
        .invalid_parameters.map((p: any) => p.name)
        .sort(),
      ['name', 'password', 'username'],
    );
    problemOf(await as('PUT', `/admin/users/${root.id}/role`, { role: 'root' }), 400);
    problemOf(await as('DELETE', '/admin/sessions/not-a-uuid'), 400);
    problemOf(await as('GET', '/admin/users/nobody-at-all'), 404);
    problemOf(await as('DELETE', `/admin/sessions/${randomUUID()}`), 404);
  });

  it('creates accounts that log in (409 for a taken username), and finds them by id or username', async () => {
    const username = uniqueName('made');
    const created = await as('POST', '/admin/users', { username, name: 'Made', password: 'made password', role: 'admin' });
    assert.equal(created.statusCode, 200, created.body);
    assert.equal(created.json().role, 'admin');
    problemOf(await as('POST', '/admin/users', { username, name: 'Again', password: 'made password' }), 409);
    assert.equal((await login(username, 'made password')).statusCode, 200);
    assert.equal((await as('GET', `/admin/users/${created.json().id}`)).json().username, username);
    assert.equal((await as('GET', `/admin/users/${username.toUpperCase()}`)).json().id, created.json().id);
  });

  it('disables: logins refused in every family, the token refused and the socket closed at once; enable undoes it', async () => {
    const user = await register(t.app);
    const ws = await listen(t);
    const socket = await connect(`${ws}/ws?token=${user.token}`);
    const vapp = await t.app.inject({ method: 'POST', url: '/vapp/login', payload: { name: user.username, password: user.password } });
    assert.equal(vapp.statusCode, 200, vapp.body);
    const vappUsers = () => t.app.inject({ url: '/vapp/users', headers: bearer(vapp.json().token) });
    assert.equal((await vappUsers()).statusCode, 200);
    const disabled = await as('PUT', `/admin/users/${user.username}/disable`);
    assert.equal(disabled.statusCode, 200);
    assert.ok(disabled.json().disabledAt);
    assert.equal((await socket.waitClosed()).code, 4001);
    problemOf(await t.app.inject({ url: '/users/me', headers: bearer(user.token) }), 401);
    assert.match(problemOf(await login(user.username, user.password), 403).detail, /disabled/);
    problemOf(await login(user.username, 'wrong password!'), 401); // no hint without the password
    const rooms = await t.app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: user.username, secret: user.password } });
    assert.equal(rooms.statusCode, 403);
    assert.equal((await t.app.inject({ method: 'POST', url: '/vapp/login', payload: { name: user.username, password: user.password } })).statusCode, 403);
    assert.notEqual((await vappUsers()).statusCode, 200, 'the V-app token is refused');
    problemOf(await as('PUT', `/admin/users/${root.id}/disable`), 409); // not oneself
    assert.equal((await as('PUT', `/admin/users/${user.id}/enable`)).json().disabledAt, undefined);
    assert.equal((await login(user.username, user.password)).statusCode, 200);
  });

  it('resets a password: every session ends, the new password works and the old does not', async () => {
    const user = await register(t.app);
    problemOf(await as('PUT', `/admin/users/${user.id}/password`, { password: 'short' }), 400);
    assert.equal((await as('PUT', `/admin/users/${user.id}/password`, { password: 'a new password' })).statusCode, 200);
    problemOf(await t.app.inject({ url: '/users/me', headers: bearer(user.token) }), 401);
    problemOf(await login(user.username, user.password), 401);
    assert.equal((await login(user.username, 'a new password')).statusCode, 200);
  });

  it('promotes and demotes, effective on the next request; an admin cannot demote themself', async () => {
    const user = await register(t.app);
    problemOf(await client(t.app, user.token)('GET', `/admin/users/${root.id}`), 403);
    assert.equal((await as('PUT', `/admin/users/${user.id}/role`, { role: 'admin' })).json().role, 'admin');
    assert.equal((await client(t.app, user.token)('GET', `/admin/users/${root.id}`)).statusCode, 200);
    assert.equal((await as('PUT', `/admin/users/${user.id}/role`, { role: 'user' })).json().role, 'user');
    problemOf(await client(t.app, user.token)('GET', `/admin/users/${root.id}`), 403);
    problemOf(await as('PUT', `/admin/users/${root.id}/role`, { role: 'user' }), 409);
  });

  it('lists sessions and ends one, or all of them', async () => {
    const user = await register(t.app);
    const second = (await login(user.username, user.password)).json();
    const listed = await as('GET', `/admin/users/${user.id}/sessions`);
    assert.deepEqual(
      listed
        .json()
        .map((s: any) => s.id)
        .sort(),
      [user.sessionId, second.deviceSessions[0].id].sort(),
    );
    assert.ok(listed.json().every((s: any) => s.accessToken === undefined));
    assert.equal((await as('DELETE', `/admin/sessions/${user.sessionId}`)).statusCode, 200);
    problemOf(await t.app.inject({ url: '/users/me', headers: bearer(user.token) }), 401);
    assert.equal((await t.app.inject({ url: '/users/me', headers: bearer(second.token) })).statusCode, 200);
    assert.deepEqual((await as('DELETE', `/admin/users/${user.id}/sessions`)).json(), { revoked: 1 });
    problemOf(await t.app.inject({ url: '/users/me', headers: bearer(second.token) }), 401);
  });

  it('rotates the signing key: earlier tokens still verify, new ones carry the new kid, the JWKS has both', async () => {
    const user = await register(t.app);
    const oldKid = decodeProtectedHeader(user.token).kid;
    const rotated = await as('POST', '/admin/keys/rotate');
    assert.equal(rotated.statusCode, 200);
    const { kid } = rotated.json();
    assert.notEqual(kid, oldKid);
    assert.equal((await t.app.inject({ url: '/users/me', headers: bearer(user.token) })).statusCode, 200);
    const fresh = (await login(user.username, user.password)).json();
    assert.equal(decodeProtectedHeader(fresh.token).kid, kid);
    assert.equal((await t.app.inject({ url: '/users/me', headers: bearer(fresh.token) })).statusCode, 200);
    const kids = (await t.app.inject({ url: '/.well-known/jwks.json' })).json().keys.map((k: any) => k.kid);
    assert.ok(kids.includes(oldKid) && kids.includes(kid));
  });

  it('refuses rotation with 409 when TOKEN_SIGNING_KEY is configured', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const other = await startApp({ TOKEN_SIGNING_KEY: pem });
    try {
      const admin = await register(other.app);
      await other.app.core.admin.setRole(admin.id, 'admin');
      assert.match(problemOf(await client(other.app, admin.token)('POST', '/admin/keys/rotate'), 409).detail, /TOKEN_SIGNING_KEY/);
    } finally {
      await other.destroy();
    }
  });

  it('documents the routes in /openapi.json', async () => {
    const paths = Object.keys((await t.app.inject({ url: '/openapi.json' })).json().paths);
    for (const p of ['/admin/users', '/admin/users/{user}/disable', '/admin/sessions/{id}', '/admin/keys/rotate']) assert.ok(paths.includes(p), p);
  });
});
