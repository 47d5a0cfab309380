import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ConfigError, loadConfig } from '../src/config.js';
import { basic, bearer, register, startApp, uniqueName, type TestApp } from './helpers.js';

const PROXY = '127.0.0.1';
const CLIENT = '203.0.113.7';

/** Registers through a peer at `remoteAddress` that says the client is `forwardedFor`; returns the session's recorded address. */
async function sessionAddress(t: TestApp, remoteAddress: string, forwardedFor?: string): Promise<string> {
  const username = uniqueName('proxy');
  const res = await t.app.inject({
    method: 'POST',
    url: '/users',
    remoteAddress,
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    payload: { name: 'Proxied', username, password: 'correct horse battery' },
  });
  assert.equal(res.statusCode, 200, res.body);
  const me = await t.app.inject({ url: '/users/me', headers: bearer(res.json().token) });
  return me.json().deviceSessions[0].ipAddress;
}

/** A failed login through `remoteAddress` for client `forwardedFor`; returns the status. */
async function failedLogin(t: TestApp, username: string, remoteAddress: string, forwardedFor?: string): Promise<number> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/users/login',
    remoteAddress,
    headers: { ...basic(username, 'not the password'), ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }) },
  });
  return res.statusCode;
}

describe('behind a trusted proxy (TRUST_PROXY=127.0.0.1)', () => {
  it('records the X-Forwarded-For client as the session address, and only from a trusted peer', async () => {
    const t = await startApp({ TRUST_PROXY: PROXY });
    try {
      assert.equal(await sessionAddress(t, PROXY, CLIENT), CLIENT);
      // A client that forged the header in front of the proxy: the proxy appends the real
      // peer, and the rightmost address the proxy did not vouch for wins.
      assert.equal(await sessionAddress(t, PROXY, `198.51.100.1, ${CLIENT}`), CLIENT);
      // A peer that is not the proxy cannot claim another address.
      assert.equal(await sessionAddress(t, '192.0.2.50', '198.51.100.1'), '192.0.2.50');
      assert.equal(await sessionAddress(t, PROXY), PROXY);
    } finally {
      await t.destroy();
    }
  });

  it('counts failed logins per address by the real client address', async () => {
    const t = await startApp({ TRUST_PROXY: PROXY, RATE_LIMITS: 'login_ip=2/15m' });
    try {
      const user = await register(t.app);
      assert.equal(await failedLogin(t, user.username, PROXY, CLIENT), 401);
      assert.equal(await failedLogin(t, uniqueName(), PROXY, CLIENT), 401);
      // The client's address has used its 2 failures, whatever name it tries next…
      assert.equal(await failedLogin(t, uniqueName(), PROXY, CLIENT), 429);
      // …while another client behind the same proxy is not held back by it.
      assert.equal(await failedLogin(t, user.username, PROXY, '203.0.113.8'), 401);
    } finally {
      await t.destroy();
    }
  });
});

describe('without TRUST_PROXY', () => {
  it('ignores X-Forwarded-For for session addresses and rate limits', async () => {
    const t = await startApp({ RATE_LIMITS: 'login_ip=2/15m' });
    try {
      assert.equal(await sessionAddress(t, '192.0.2.10', CLIENT), '192.0.2.10');
      // Rotating the header buys no extra attempts: all three come from one peer.
      assert.equal(await failedLogin(t, uniqueName(), '192.0.2.20', '198.51.100.1'), 401);
      assert.equal(await failedLogin(t, uniqueName(), '192.0.2.20', '198.51.100.2'), 401);
      assert.equal(await failedLogin(t, uniqueName(), '192.0.2.20', '198.51.100.3'), 429);
    } finally {
      await t.destroy();
    }
  });
});

describe('TRUST_PROXY setting', () => {
  const problems = (value: string) => {
    try {
      loadConfig({ TRUST_PROXY: value }, '/srv');
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };
  it('takes true, false, addresses, CIDRs and proxy-addr names; refuses anything else with a clear line', () => {
    assert.equal(loadConfig({}, '/srv').trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: 'true' }, '/srv').trustProxy, true);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,fd00::/8,loopback' }, '/srv').trustProxy, [
      '127.0.0.1',
      '10.0.0.0/8',
      'fd00::/8',
      'loopback',
    ]);
    assert.deepEqual(problems('10.0.0.0/8'), []);
    assert.match(problems('nginx').join(), /^TRUST_PROXY: "nginx" is not true, false, an IP address, a CIDR/);
    assert.equal(problems('10.0.0.0/33').length, 1);
    assert.equal(problems('10.0.0.1/8/1').length, 1);
    assert.equal(problems('300.1.1.1').length, 1);
  });
});
