import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { basic, problemOf, register, startApp, uniqueName } from './helpers.js';

const loginAs = (t: Awaited<ReturnType<typeof startApp>>, username: string, password: string, ip = '127.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/users/login', headers: basic(username, password), remoteAddress: ip });

describe('rate limits', () => {
  it('blocks a username after its failed logins, with Retry-After, across a restart', async () => {
    const t = await startApp({ RATE_LIMITS: 'login_user=3/15m' });
    const user = await register(t.app);
    for (let i = 0; i < 3; i++) problemOf(await loginAs(t, user.username, 'wrong password', `10.0.0.${i}`), 401);
    const blocked = await loginAs(t, user.username, user.password, '10.0.1.1');
    problemOf(blocked, 429);
    const retryAfter = Number(blocked.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 900, `Retry-After ${retryAfter}`);
    // Unknown users are counted the same way, so the limit reveals nothing.
    const ghost = uniqueName('ghost');
    for (let i = 0; i < 3; i++) problemOf(await loginAs(t, ghost, 'x', `10.0.2.${i}`), 401);
    problemOf(await loginAs(t, ghost, 'x'), 429);
    await t.close();
    const restarted = await startApp({ RATE_LIMITS: 'login_user=3/15m' }, { dataDir: t.dataDir });
    problemOf(await loginAs(restarted, user.username, user.password), 429);
    // Another user is unaffected.
    const other = await register(restarted.app);
    assert.equal((await loginAs(restarted, other.username, other.password)).statusCode, 200);
    await restarted.destroy();
  });

  it('counts an account once, whether it is named by username or by email', async () => {
    const t = await startApp({ RATE_LIMITS: 'login_user=4/15m' });
    const email = `${uniqueName()}@example.com`;
    const user = await register(t.app, { email });
    for (let i = 0; i < 2; i++) {
      problemOf(await loginAs(t, user.username, 'wrong password', `10.1.0.${i}`), 401);
      problemOf(await t.app.inject({ method: 'POST', url: '/users/login', remoteAddress: `10.1.1.${i}`, payload: { email, password: 'wrong password' } }), 401);
    }
    problemOf(await t.app.inject({ method: 'POST', url: '/users/login', payload: { email, password: user.password } }), 429);
    problemOf(await loginAs(t, user.username, user.password), 429);
    await t.destroy();
  });

  it('a success clears the username’s failures', async () => {
    const t = await startApp({ RATE_LIMITS: 'login_user=3/15m' });
    const user = await register(t.app);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) problemOf(await loginAs(t, user.username, 'wrong password'), 401);
      assert.equal((await loginAs(t, user.username, user.password)).statusCode, 200);
    }
    await t.destroy();
  });

  it('blocks a client address after its failed logins, whatever the usernames', async () => {
    const t = await startApp({ RATE_LIMITS: 'login_ip=4/15m' });
    const user = await register(t.app);
    for (let i = 0; i < 4; i++) problemOf(await loginAs(t, uniqueName('nobody'), 'x', '192.0.2.7'), 401);
    problemOf(await loginAs(t, user.username, user.password, '192.0.2.7'), 429);
    assert.equal((await loginAs(t, user.username, user.password, '192.0.2.8')).statusCode, 200);
    await t.destroy();
  });

  it('counts failed Basic credentials on DELETE /users/me and wrong old passwords too', async () => {
    const t = await startApp({ RATE_LIMITS: 'login_user=2/15m' });
    const user = await register(t.app);
    problemOf(await t.app.inject({ method: 'DELETE', url: '/users/me', headers: basic(user.username, 'wrong password') }), 401);
    problemOf(
      await t.app.inject({
        method: 'PUT',
        url: '/users/me/changePassword',
        headers: { authorization: `Bearer ${user.token}` },
        payload: { oldPassword: 'wrong password', newPassword: 'new password 9' },
      }),
      401,
    );
    problemOf(await loginAs(t, user.username, user.password), 429);
    await t.destroy();
  });

  it('limits sign-ups and password resets per address', async () => {
    const t = await startApp({ RATE_LIMITS: 'signup_ip=2/1h,reset_ip=2/1h' });
    const signup = () =>
      t.app.inject({ method: 'POST', url: '/users', remoteAddress: '198.51.100.1', payload: { name: 'N', username: uniqueName(), password: 'password123' } });
    assert.equal((await signup()).statusCode, 200);
    assert.equal((await signup()).statusCode, 200);
    const third = await signup();
    problemOf(third, 429);
    assert.ok(Number(third.headers['retry-after']) > 0);
    const reset = () =>
      t.app.inject({
        method: 'PUT',
        url: '/users/resetPassword',
        remoteAddress: '198.51.100.2',
        payload: { userId: 1, accountKey: 'guess guess', newPassword: 'new password 1' },
      });
    problemOf(await reset(), 403);
    problemOf(await reset(), 403);
    problemOf(await reset(), 429);
    await t.destroy();
  });

  it('RATE_LIMITS=off turns every limit off', async () => {
    const t = await startApp({ RATE_LIMITS: 'off' });
    const user = await register(t.app);
    for (let i = 0; i < 15; i++) problemOf(await loginAs(t, user.username, 'wrong password'), 401);
    assert.equal((await loginAs(t, user.username, user.password)).statusCode, 200);
    await t.destroy();
  });

  it('defaults to 10 failed logins per username', async () => {
    const t = await startApp();
    const user = await register(t.app);
    for (let i = 0; i < 10; i++) problemOf(await loginAs(t, user.username, 'wrong password', `10.9.0.${i}`), 401);
    problemOf(await loginAs(t, user.username, user.password), 429);
    await t.destroy();
  });
});
