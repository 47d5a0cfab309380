/**
 * TOTP two-factor sign-in (issue 22): setup, enable, every family's login needing `code`,
 * clock skew of ±1 step accepted and ±3 refused, replayed codes and used recovery codes
 * refused, wrong codes counted like wrong passwords, removal.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { bearer, problemOf, register, startApp, type Registered, type TestApp } from './helpers.js';

const STEP_MS = 30_000;
/** The code of `secret` at `at` (epoch ms). */
const codeAt = (secret: string, at: number) => new TOTP({ secret: Secret.fromBase32(secret), period: 30, digits: 6 }).generate({ timestamp: at });

/** A clock the test moves: every test moves it well past the steps earlier codes used. */
const clock = { t: Date.now(), now: () => clock.t };
const later = () => {
  clock.t += 10 * STEP_MS;
  return clock.t;
};

describe('two-factor sign-in (TOTP)', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({}, { clock });
  });
  after(() => t.destroy());

  const login = (user: Registered, code?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/users/login',
      payload: { username: user.username, password: user.password, ...(code === undefined ? {} : { code }) },
    });

  /** A user with two-factor sign-in on: its secret and recovery codes. */
  async function enabled(): Promise<{ user: Registered; secret: string; recoveryCodes: string[] }> {
    const user = await register(t.app);
    const setup = await t.app.inject({ method: 'POST', url: '/users/me/2fa/setup', headers: bearer(user.token) });
    assert.equal(setup.statusCode, 200, setup.body);
    const { secret, uri } = setup.json();
    assert.match(uri, /^otpauth:\/\/totp\/Parley:/);
    assert.ok(uri.includes(`secret=${secret}`));
    const enable = await t.app.inject({
      method: 'POST',
      url: '/users/me/2fa/enable',
      headers: bearer(user.token),
      payload: { code: codeAt(secret, clock.now()) },
    });
    assert.equal(enable.statusCode, 200, enable.body);
    const { recoveryCodes } = enable.json();
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    return { user, secret, recoveryCodes };
  }

  it('refuses the routes without a session, and enable before setup or with a wrong code', async () => {
    assert.equal((await t.app.inject({ method: 'POST', url: '/users/me/2fa/setup' })).statusCode, 401);
    const user = await register(t.app);
    problemOf(await t.app.inject({ method: 'POST', url: '/users/me/2fa/enable', headers: bearer(user.token), payload: { code: '123456' } }), 409);
    const { secret } = (await t.app.inject({ method: 'POST', url: '/users/me/2fa/setup', headers: bearer(user.token) })).json();
    const wrong = codeAt(secret, clock.now() + 5 * STEP_MS);
    const bad = problemOf(await t.app.inject({ method: 'POST', url: '/users/me/2fa/enable', headers: bearer(user.token), payload: { code: wrong } }), 400);
    assert.equal(bad.invalid_parameters[0].name, 'code');
    problemOf(await t.app.inject({ method: 'POST', url: '/users/me/2fa/enable', headers: bearer(user.token), payload: {} }), 400);
    // Not on yet: the password alone still logs in.
    assert.equal((await login(user)).statusCode, 200);
  });

  it('needs a code besides the password once enabled: 401 two-factor-required without it or with a wrong one', async () => {
    const { user, secret } = await enabled();
    const missing = problemOf(await login(user), 401);
    assert.equal(missing.type, 'urn:parley:problem:two-factor-required');
    const wrongPassword = problemOf(
      await t.app.inject({ method: 'POST', url: '/users/login', payload: { username: user.username, password: 'not the password' } }),
      401,
    );
    assert.equal(wrongPassword.type, 'urn:parley:problem:bad_credentials', 'a wrong password tells nothing of a second factor');
    const now = later();
    assert.equal(problemOf(await login(user, codeAt(secret, now + 5 * STEP_MS)), 401).type, 'urn:parley:problem:two-factor-required');
    const ok = await login(user, codeAt(secret, now));
    assert.equal(ok.statusCode, 200, ok.body);
    assert.ok(ok.json().token);
    // The same code again (same step) is a replay.
    problemOf(await login(user, codeAt(secret, now)), 401);
  });

  it('accepts codes one step either side of the clock and refuses three steps off', async () => {
    const { user, secret } = await enabled();
    let now = later();
    assert.equal((await login(user, codeAt(secret, now - STEP_MS))).statusCode, 200, 'one step behind');
    now = later();
    assert.equal((await login(user, codeAt(secret, now + STEP_MS))).statusCode, 200, 'one step ahead');
    now = later();
    problemOf(await login(user, codeAt(secret, now - 3 * STEP_MS)), 401);
    problemOf(await login(user, codeAt(secret, now + 3 * STEP_MS)), 401);
  });

  it('accepts each recovery code once, whatever its case and dashes', async () => {
    const { user, recoveryCodes } = await enabled();
    const [first, second] = recoveryCodes as [string, string];
    assert.equal((await login(user, first)).statusCode, 200);
    problemOf(await login(user, first), 401);
    assert.equal((await login(user, second.toUpperCase().replace(/-/g, ' '))).statusCode, 200);
    problemOf(await login(user, 'abcd-efgh-jkmn'), 401);
  });

  it('is honoured by the V-app and rooms logins too', async () => {
    const { user, secret } = await enabled();
    const vapp = (code?: string) => t.app.inject({ method: 'POST', url: '/vapp/login', payload: { name: user.username, password: user.password, code } });
    const rooms = (code?: string) => t.app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: user.username, secret: user.password, code } });
    const vappRefused = await vapp();
    assert.equal(vappRefused.statusCode, 401);
    assert.equal(vappRefused.json().type, 'auth:twofactorrequired');
    const roomsRefused = await rooms();
    assert.equal(roomsRefused.statusCode, 401);
    assert.equal(roomsRefused.json().error.type, 'TWO_FACTOR_REQUIRED');
    let now = later();
    assert.equal((await vapp(codeAt(secret, now))).statusCode, 200);
    now = later();
    assert.equal((await rooms(codeAt(secret, now))).statusCode, 200);
    // Deleting the account is a login too.
    const auth = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    problemOf(await t.app.inject({ method: 'DELETE', url: '/users/me', headers: { authorization: auth } }), 401);
  });

  it('counts wrong codes as failed logins of the account (429 past the limit, even with the right password)', async () => {
    const limited = await startApp({ RATE_LIMITS: 'login_user=3/15m,login_ip=1000/15m' }, { clock });
    try {
      const user = await register(limited.app);
      const { secret } = (await limited.app.inject({ method: 'POST', url: '/users/me/2fa/setup', headers: bearer(user.token) })).json();
      const enable = await limited.app.inject({
        method: 'POST',
        url: '/users/me/2fa/enable',
        headers: bearer(user.token),
        payload: { code: codeAt(secret, clock.now()) },
      });
      assert.equal(enable.statusCode, 200);
      const attempt = (code: string) =>
        limited.app.inject({ method: 'POST', url: '/users/login', payload: { username: user.username, password: user.password, code } });
      for (let i = 0; i < 3; i++) problemOf(await attempt('000000'), 401);
      problemOf(await attempt(codeAt(secret, later())), 429);
    } finally {
      await limited.destroy();
    }
  });

  it('is removed with the password and a code; then the password alone logs in again', async () => {
    const { user, secret } = await enabled();
    const remove = (body: object) => t.app.inject({ method: 'DELETE', url: '/users/me/2fa', headers: bearer(user.token), payload: body });
    problemOf(await remove({ password: 'wrong password', code: codeAt(secret, later()) }), 401);
    problemOf(await remove({ password: user.password, code: '000000' }), 401);
    problemOf(await remove({ password: user.password }), 400);
    assert.equal((await remove({ password: user.password, code: codeAt(secret, later()) })).statusCode, 200);
    assert.equal((await login(user)).statusCode, 200);
    problemOf(await remove({ password: user.password, code: '123456' }), 409);
  });
});
