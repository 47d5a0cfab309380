/**
 * Key USERS flows on the PostgreSQL store, to show it behaves as the SQLite store does.
 * (The whole suite runs on PostgreSQL with `PARLEY_TEST_STORE=postgres npm test`.)
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { basic, bearer, problemOf, register, startApp, uniqueName, type TestApp } from './helpers.js';
import { createTestSchema, postgresService } from './services.js';

const postgres = await postgresService();

describe('USERS on PostgreSQL', { skip: postgres.skip }, () => {
  let t: TestApp;
  before(async () => {
    const schema = await createTestSchema();
    t = await startApp({ DATABASE_URL: schema.url, DATABASE_POOL_SIZE: '4' });
    assert.equal(t.app.core.ports.store.kind, 'postgres');
  });
  after(() => t?.destroy());

  const me = (token: string) => t.app.inject({ url: '/users/me', headers: bearer(token) });
  const login = (username: string, password: string, deviceId?: string) =>
    t.app.inject({ method: 'POST', url: '/users/login', headers: basic(username, password), payload: deviceId ? { deviceInfo: { id: deviceId } } : {} });

  it('registers, refuses a taken username or email with 409, and logs in by username or email', async () => {
    const email = `${uniqueName()}@Example.com`;
    const user = await register(t.app, { email, deviceInfo: { id: randomUUID(), name: 'Phone', transport: 'fcm' } });
    assert.equal(typeof user.id, 'number');
    const created = user.body.deviceSessions[0];
    assert.ok(Number.isFinite(Date.parse(created.createdAt)), 'times come back as dates, not strings of digits');
    const again = (payload: object) => t.app.inject({ method: 'POST', url: '/users', payload: { name: 'N', password: 'password123', ...payload } });
    assert.match(problemOf(await again({ username: user.username.toUpperCase() }), 409).detail, /username/i);
    assert.match(problemOf(await again({ username: uniqueName(), email: email.toLowerCase() }), 409).detail, /email/i);
    assert.equal((await login(user.username, user.password)).statusCode, 200);
    const byEmail = await t.app.inject({ method: 'POST', url: '/users/login', payload: { email, password: user.password } });
    assert.equal(byEmail.json().id, user.id);
    problemOf(await login(user.username, 'wrong password'), 401);
    // A long Basic user name is counted by the rate limits like any other.
    problemOf(await login(`${'x'.repeat(400)}@example.com`, 'wrong password'), 401);
  });

  it('renews a known device’s session and revokes on logout, password change and deletion', async () => {
    const user = await register(t.app);
    const device = randomUUID();
    const first = (await login(user.username, user.password, device)).json();
    const second = (await login(user.username, user.password, device)).json();
    assert.equal(second.deviceSessions[0].id, first.deviceSessions[0].id, 'same device, same session');
    problemOf(await me(first.token), 401);
    assert.equal((await me(second.token)).statusCode, 200);

    assert.equal((await t.app.inject({ method: 'POST', url: '/users/me/logout', headers: bearer(second.token) })).statusCode, 200);
    problemOf(await me(second.token), 401);

    const other = (await login(user.username, user.password)).json().token;
    const changed = await t.app.inject({
      method: 'PUT',
      url: '/users/me/changePassword',
      headers: bearer(user.token),
      payload: { oldPassword: user.password, newPassword: 'new password 1' },
    });
    assert.equal(changed.statusCode, 200);
    problemOf(await me(other), 401);
    assert.equal((await me(user.token)).statusCode, 200);

    const deleted = await t.app.inject({ method: 'DELETE', url: '/users/me', headers: basic(user.username, 'new password 1') });
    assert.equal(deleted.statusCode, 200);
    problemOf(await me(user.token), 401);
    assert.deepEqual(await t.app.core.ports.store.sessions.listByUser(user.id), []);
  });

  it('searches names and usernames case-insensitively, with % and _ taken literally, paged', async () => {
    const tag = `pg${randomUUID().slice(0, 6)}`;
    const viewer = await register(t.app);
    const one = await register(t.app, { username: `${tag}_one` });
    const two = await register(t.app, { name: `Two ${tag.toUpperCase()} 100%` });
    const search = async (s: string, extra = '') =>
      (await t.app.inject({ url: `/users?s=${encodeURIComponent(s)}${extra}`, headers: bearer(viewer.token) })).json().map((u: { id: number }) => u.id);
    assert.deepEqual(await search(tag), [one.id, two.id]);
    assert.deepEqual(await search(tag, '&limit=1&offset=1'), [two.id]);
    assert.deepEqual(await search(`${tag} 100%`), [two.id]);
    assert.deepEqual(await search(`${tag}%`), []);
    assert.deepEqual(await search(`${tag.slice(0, 3)}_`), []);
  });
});
