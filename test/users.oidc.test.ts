/**
 * OIDC single sign-on (issue 22) against `oidc-provider` running in-process on 127.0.0.1:
 * the full code flow (PKCE, state, nonce) driven by plain HTTP through the provider's login
 * and consent pages, a session that works on /users/me, the same user on a second sign-in,
 * linking by verified email when allowed, and bad state, bad nonce and a replayed callback
 * refused; off without configuration.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Provider from 'oidc-provider';
import { loadConfig } from '../src/config.js';
import { bearer, configProblems, problemOf, register, startApp, type TestApp } from './helpers.js';

const CALLBACK = 'http://parley.test/auth/oidc/callback';
const CLIENT_ID = 'parley-test';
const CLIENT_SECRET = 'a-test-secret-that-is-long-enough-for-hs256';

/** The test provider's users: any login name signs in; its claims come from here (or defaults). */
const people = new Map<string, { email: string; email_verified: boolean; preferred_username?: string; name?: string }>();

async function startProvider(): Promise<{ issuer: string; server: Server }> {
  let handler: ((req: never, res: never) => void) | undefined;
  const server = createServer((req, res) => handler?.(req as never, res as never));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [CALLBACK],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    cookies: { keys: ['oidc-test-cookie-key'] },
    async findAccount(_ctx, id) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, ...(people.get(id) ?? { email: `${id}@example.test`, email_verified: true, preferred_username: id }) };
        },
      };
    },
  });
  provider.on('server_error', (_ctx, error) => console.error('provider error', error));
  handler = provider.callback() as never;
  return { issuer, server };
}

/** Cookies by name, as a browser would keep them for the provider (paths ignored: one flow at a time). */
class Jar {
  private cookies = new Map<string, string>();
  take(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
}

/**
 * Drives the provider from its authorization URL as a browser would: follows redirects,
 * submits the login form (as `login`) and the consent form, until the provider redirects to
 * Parley's callback; returns that URL.
 */
async function signInAtProvider(authorizationUrl: string, login: string): Promise<string> {
  const jar = new Jar();
  let url = authorizationUrl;
  let method = 'GET';
  let body: string | undefined;
  for (let step = 0; step < 20; step++) {
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { cookie: jar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body ? { body } : {}),
    });
    jar.take(res);
    const location = res.headers.get('location');
    if (location) {
      const next = new URL(location, url).toString();
      await res.arrayBuffer();
      if (next.startsWith(CALLBACK)) return next;
      url = next;
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    assert.equal(res.status, 200, html);
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(action && prompt, `a login or consent form: ${html.slice(0, 500)}`);
    url = new URL(action, url).toString();
    method = 'POST';
    body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'anything' } : { prompt }).toString();
  }
  throw new Error('the provider never redirected to the callback');
}

describe('OIDC single sign-on', () => {
  let provider: { issuer: string; server: Server };
  let t: TestApp;
  const env = () => ({
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_NAME: 'Test IdP',
  });
  before(async () => {
    provider = await startProvider();
    t = await startApp(env());
  });
  after(async () => {
    await t?.destroy();
    await new Promise((resolve) => provider.server.close(resolve));
  });

  const person = () => `p${randomBytes(5).toString('hex')}`;
  /** `/auth/oidc/start` (with `query`): the provider's authorization URL it redirects to. */
  async function start(app = t, query = ''): Promise<URL> {
    const res = await app.app.inject({ method: 'GET', url: `/auth/oidc/start${query}` });
    assert.equal(res.statusCode, 302, res.body);
    const location = new URL(res.headers.location as string);
    assert.equal(location.origin, provider.issuer);
    return location;
  }
  const callback = (url: string, app = t) => {
    const u = new URL(url);
    return app.app.inject({ method: 'GET', url: `${u.pathname}${u.search}` });
  };

  it('tells the web app that it is on, and its name', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/auth/oidc' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { enabled: true, name: 'Test IdP' });
  });

  it('signs in with the code flow (PKCE S256, state, nonce): a session that works, the same user the second time', async () => {
    const login = person();
    const authorize = await start();
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('code_challenge'));
    assert.ok(authorize.searchParams.get('state'));
    assert.ok(authorize.searchParams.get('nonce'));
    assert.equal(authorize.searchParams.get('redirect_uri'), CALLBACK);

    const first = await callback(await signInAtProvider(authorize.toString(), login));
    assert.equal(first.statusCode, 200, first.body);
    const answer = first.json();
    assert.equal(answer.username, login);
    assert.ok(answer.token);
    const me = await t.app.inject({ method: 'GET', url: '/users/me', headers: bearer(answer.token) });
    assert.equal(me.statusCode, 200, me.body);
    assert.equal(me.json().uid, answer.uid);
    assert.equal(me.json().email, `${login}@example.test`);

    const second = await callback(await signInAtProvider((await start()).toString(), login));
    assert.equal(second.statusCode, 200, second.body);
    assert.equal(second.json().uid, answer.uid, 'linked by (issuer, subject)');
    assert.notEqual(second.json().token, answer.token);
  });

  it('makes a free username when the preferred one is taken, and leaves a taken email alone without OIDC_LINK_BY_EMAIL', async () => {
    const email = `${person()}@example.test`;
    const native = await register(t.app, { email });
    const login = person();
    people.set(login, { email, email_verified: true, preferred_username: native.username, name: 'Someone Else' });
    const res = await callback(await signInAtProvider((await start()).toString(), login));
    assert.equal(res.statusCode, 200, res.body);
    assert.notEqual(res.json().uid, native.uid);
    assert.match(res.json().username, new RegExp(`^${native.username}.+`));
    assert.equal(res.json().name, 'Someone Else');
  });

  it('refuses an unknown state, a replayed callback and a wrong nonce (400), storing no session', async () => {
    problemOf(await t.app.inject({ method: 'GET', url: '/auth/oidc/callback?code=x&state=unknown' }), 400);
    problemOf(await t.app.inject({ method: 'GET', url: '/auth/oidc/callback?code=x' }), 400);

    const returned = await signInAtProvider((await start()).toString(), person());
    // The right code with another state: refused before the code is used.
    const forged = new URL(returned);
    forged.searchParams.set('state', 'forged');
    problemOf(await callback(forged.toString()), 400);
    assert.equal((await callback(returned)).statusCode, 200);
    problemOf(await callback(returned), 400);

    // The provider is asked with another nonce than the one Parley kept: the ID token carries it.
    const authorize = await start();
    authorize.searchParams.set('nonce', 'not-the-one-parley-kept');
    const body = problemOf(await callback(await signInAtProvider(authorize.toString(), person())), 400);
    assert.ok(JSON.stringify(body).includes('nonce'), JSON.stringify(body));
  });

  it('sends the browser back to the web app with the token in the fragment when asked', async () => {
    problemOf(await t.app.inject({ method: 'GET', url: '/auth/oidc/start?redirect=//evil.example/' }), 400);
    problemOf(await t.app.inject({ method: 'GET', url: '/auth/oidc/start?redirect=https://evil.example/' }), 400);
    const res = await callback(await signInAtProvider((await start(t, '?redirect=/app/')).toString(), person()));
    assert.equal(res.statusCode, 303, res.body);
    const location = res.headers.location as string;
    assert.match(location, /^\/app\/#token=/);
    const token = decodeURIComponent(location.split('#token=')[1]!);
    assert.equal((await t.app.inject({ method: 'GET', url: '/users/me', headers: bearer(token) })).statusCode, 200);
  });

  it('links to the account of the same verified email with OIDC_LINK_BY_EMAIL=on, never an unverified one', async () => {
    const linking = await startApp({ ...env(), OIDC_LINK_BY_EMAIL: 'on' });
    try {
      const email = `${person()}@example.test`;
      const native = await register(linking.app, { email });
      const unverified = person();
      people.set(unverified, { email, email_verified: false });
      const other = await callback(await signInAtProvider((await start(linking)).toString(), unverified), linking);
      assert.equal(other.statusCode, 200, other.body);
      assert.notEqual(other.json().uid, native.uid);

      const verified = person();
      people.set(verified, { email: email.toUpperCase(), email_verified: true });
      const res = await callback(await signInAtProvider((await start(linking)).toString(), verified), linking);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().uid, native.uid);
    } finally {
      await linking.destroy();
    }
  });

  it('answers 503 while the provider does not answer, and refuses half a configuration', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = await startApp({ ...env(), OIDC_ISSUER: `http://127.0.0.1:${port}` });
    try {
      problemOf(await down.app.inject({ method: 'GET', url: '/auth/oidc/start' }), 503);
    } finally {
      await down.destroy();
    }
    assert.equal(configProblems({ OIDC_ISSUER: 'https://idp.example' }).length, 1);
    assert.equal(configProblems({ OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'x', OIDC_LINK_BY_EMAIL: 'yes' }).length, 1);
    const oidc = loadConfig(
      { OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'x', OIDC_LINK_BY_EMAIL: 'on', PUBLIC_URL: 'https://chat.example' },
      '/srv',
    ).oidc;
    assert.deepEqual(oidc && { redirectUrl: oidc.redirectUrl, linkByEmail: oidc.linkByEmail, name: oidc.name }, {
      redirectUrl: 'https://chat.example/auth/oidc/callback',
      linkByEmail: true,
      name: 'idp.example',
    });
  });

  it('is off without configuration: 404 on start and callback, disabled on /auth/oidc', async () => {
    const off = await startApp();
    try {
      problemOf(await off.app.inject({ method: 'GET', url: '/auth/oidc/start' }), 404);
      problemOf(await off.app.inject({ method: 'GET', url: '/auth/oidc/callback?code=x&state=y' }), 404);
      assert.deepEqual((await off.app.inject({ method: 'GET', url: '/auth/oidc' })).json(), { enabled: false, name: null });
    } finally {
      await off.destroy();
    }
  });
});
