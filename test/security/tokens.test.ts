/**
 * Attack suite, tokens: every authenticated route of every family (taken from the app's own
 * route table, so a new route is covered, or fails the suite until it gets an auth mode)
 * refuses forged, tampered, expired, revoked and wrong-kind tokens on every transport.
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { basic, bearer, register, type Registered, type TestApp } from '../helpers.js';
import { PASSWORD, vappSignup } from '../vapp-helpers.js';
import { refusedWith, listen } from '../ws-helpers.js';
import { GENERATED_KEY_SETTING } from '../../src/core/vonage-tokens.service.js';
import {
  assertNothingLeaked,
  b64url,
  exampleRequest,
  modeAt,
  PUBLIC_ROUTES,
  recordResponses,
  routesOf,
  startRecordedApp,
  type Recorded,
  type Route,
} from './support.js';

const signingKey = generateKeyPairSync('ed25519').privateKey;
const SIGNING_PEM = signingKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const HOUR = 3600_000;

describe('security: tokens on every authenticated route', () => {
  let t: TestApp;
  let routes: Route[];
  let seen: Recorded[];
  let offset = 0;
  const clock = { now: () => Date.now() + offset };
  let me: Registered;
  let victim: Registered;
  /** name → forged or dead native token. */
  const nativeAttacks = new Map<string, string>();
  /** name → [token, expected V-app error type]. */
  const vappAttacks = new Map<string, [string, string]>();
  let vappToken: string;

  const sign = (claims: Record<string, unknown>, header: Record<string, unknown>, key = signingKey) =>
    new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);

  before(async () => {
    ({ t, routes } = await startRecordedApp({ TOKEN_SIGNING_KEY: SIGNING_PEM }, { clock }));
    seen = recordResponses(t.app);
    me = await register(t.app);
    victim = await register(t.app);
    const [h, p, s] = me.token.split('.') as [string, string, string];
    const claims = decodeJwt(me.token);
    const header = decodeProtectedHeader(me.token);
    const kid = header.kid!;
    const jwk = (await t.app.inject('/.well-known/jwks.json')).json().keys[0];
    const publicPem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    const hmac = (secret: string | Uint8Array) =>
      sign(claims, { alg: 'HS256', typ: 'at+jwt', kid }, (typeof secret === 'string' ? new TextEncoder().encode(secret) : secret) as never);
    const victimClaims = decodeJwt(victim.token);

    nativeAttacks.set('alg none', `${b64url({ alg: 'none', typ: 'at+jwt', kid })}.${p}.`);
    nativeAttacks.set('alg None with the signature kept', `${b64url({ alg: 'None', typ: 'at+jwt', kid })}.${p}.${s}`);
    nativeAttacks.set('HS256 with the public key PEM', await hmac(publicPem));
    nativeAttacks.set('HS256 with the JWKS entry', await hmac(JSON.stringify(jwk)));
    nativeAttacks.set('HS256 with the raw public key bytes', await hmac(Buffer.from(jwk.x, 'base64url')));
    nativeAttacks.set('tampered: another session, signature kept', `${h}.${b64url({ ...claims, sid: victimClaims.sid, sub: victimClaims.sub })}.${s}`);
    nativeAttacks.set('tampered: exp pushed out, signature kept', `${h}.${b64url({ ...claims, exp: Number(claims.exp) + 86400 })}.${s}`);
    nativeAttacks.set('signature stripped', `${h}.${p}.`);
    nativeAttacks.set('an unknown key with our kid', await sign(claims, { alg: 'EdDSA', typ: 'at+jwt', kid }, generateKeyPairSync('ed25519').privateKey));
    // Our own key, so only the claim check can refuse these.
    nativeAttacks.set(
      'our key, our sub with another user’s session',
      await sign({ ...claims, sid: victimClaims.sid, jti: victimClaims.jti }, { alg: 'EdDSA', typ: 'at+jwt', kid }),
    );
    const { exp: _exp, ...noExp } = claims;
    nativeAttacks.set('our key, no exp', await sign(noExp, { alg: 'EdDSA', typ: 'at+jwt', kid }));
    nativeAttacks.set('our key, typ JWT', await sign(claims, { alg: 'EdDSA', typ: 'JWT', kid }));
    nativeAttacks.set('our key, audience of another kind', await sign({ ...claims, aud: 'parley:vapp' }, { alg: 'EdDSA', typ: 'at+jwt', kid }));
    nativeAttacks.set('our key, another issuer', await sign({ ...claims, iss: 'evil' }, { alg: 'EdDSA', typ: 'at+jwt', kid }));
    // Keys named by the token itself: an embedded JWK, a JWKS URL, an unknown kid; nbf ahead.
    const attacker = generateKeyPairSync('ed25519');
    const attackerJwk = attacker.publicKey.export({ format: 'jwk' });
    nativeAttacks.set(
      'an embedded jwk header with the attacker’s key',
      await sign(claims, { alg: 'EdDSA', typ: 'at+jwt', kid, jwk: attackerJwk }, attacker.privateKey),
    );
    nativeAttacks.set(
      'a jku header pointing at the attacker’s keys',
      await sign(claims, { alg: 'EdDSA', typ: 'at+jwt', kid: 'attacker', jku: 'http://127.0.0.1:9/jwks.json' }, attacker.privateKey),
    );
    nativeAttacks.set(
      'our key, not valid before next hour',
      await sign({ ...claims, nbf: Math.floor(Date.now() / 1000) + 3600 }, { alg: 'EdDSA', typ: 'at+jwt', kid }),
    );
    nativeAttacks.set('garbage', 'not-a-token');
    nativeAttacks.set('three empty parts', '..');

    // Expired: issued two hours ago (TOKEN_TTL_SECONDS is one hour), session still open.
    offset = -2 * HOUR;
    const old = await register(t.app);
    offset = 0;
    nativeAttacks.set('expired', old.token);

    const deleted = await register(t.app);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/users/me', headers: basic(deleted.username, deleted.password) })).statusCode, 200);
    nativeAttacks.set('deleted user', deleted.token);

    const loggedOut = await register(t.app);
    assert.equal((await t.app.inject({ method: 'POST', url: '/users/me/logout', headers: bearer(loggedOut.token) })).statusCode, 200);
    nativeAttacks.set('logged-out session', loggedOut.token);

    const device = { id: randomUUID() };
    const renewed = await register(t.app, { deviceInfo: device });
    const again = await t.app.inject({
      method: 'POST',
      url: '/users/login',
      headers: basic(renewed.username, renewed.password),
      payload: { deviceInfo: device },
    });
    assert.equal(again.statusCode, 200);
    nativeAttacks.set('superseded by a re-login on the same device', renewed.token);

    const changer = await register(t.app);
    const second = (await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(changer.username, changer.password) })).json().token;
    const changed = await t.app.inject({
      method: 'PUT',
      url: '/users/me/changePassword',
      headers: bearer(second),
      payload: { oldPassword: changer.password, newPassword: 'another long password' },
    });
    assert.equal(changed.statusCode, 200);
    nativeAttacks.set('revoked by a password change elsewhere', changer.token);

    // V-app tokens: the kind that must never pass natively, and its own attacks.
    vappToken = (await t.app.inject({ method: 'POST', url: '/vapp/login', payload: { name: me.username, password: me.password } })).json().token;
    nativeAttacks.set('a V-app token of the same user', vappToken);

    const vClaims = decodeJwt(vappToken);
    const [vh, vp, vs] = vappToken.split('.') as [string, string, string];
    const vappPublicPem = await t.app.core.vonageTokens.publicKeyPem();
    const generated = JSON.parse((await t.app.core.ports.store.settings.get(GENERATED_KEY_SETTING))!) as { applicationId: string; privatePem: string };
    const { createPrivateKey } = await import('node:crypto');
    const vappKey = createPrivateKey(generated.privatePem);
    const other = await vappSignup(t.app);
    const bad = 'auth:badtoken';
    vappAttacks.set('alg none', [`${b64url({ alg: 'none', typ: 'JWT' })}.${vp}.`, bad]);
    vappAttacks.set('HS256 with the public key PEM', [
      await sign(vClaims, { alg: 'HS256', typ: 'JWT' }, new TextEncoder().encode(vappPublicPem) as never),
      bad,
    ]);
    vappAttacks.set('tampered: another user, signature kept', [`${vh}.${b64url({ ...vClaims, sub: other.name, user_id: other.id })}.${vs}`, bad]);
    vappAttacks.set('an unknown RSA key', [
      await sign(vClaims, { alg: 'RS256', typ: 'JWT' }, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
      bad,
    ]);
    const { exp: _vexp, ...vNoExp } = vClaims;
    vappAttacks.set('our key, no exp', [await sign(vNoExp, { alg: 'RS256', typ: 'JWT' }, vappKey), bad]);
    vappAttacks.set('our key, another application', [await sign({ ...vClaims, application_id: randomUUID() }, { alg: 'RS256', typ: 'JWT' }, vappKey), bad]);
    vappAttacks.set('a native access token', [me.token, bad]);
    vappAttacks.set('a rooms login token', [
      (await t.app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: me.username, secret: me.password } })).json().data.token,
      bad,
    ]);
    vappAttacks.set('garbage', ['not-a-token', bad]);
    const rsaAttacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
    vappAttacks.set('an embedded jwk header with the attacker’s key', [
      await sign(vClaims, { alg: 'RS256', typ: 'JWT', jwk: rsaAttacker.publicKey.export({ format: 'jwk' }) }, rsaAttacker.privateKey),
      bad,
    ]);
    vappAttacks.set('our key, not valid before next hour', [
      await sign({ ...vClaims, nbf: Math.floor(Date.now() / 1000) + 3600 }, { alg: 'RS256', typ: 'JWT' }, vappKey),
      bad,
    ]);
    offset = -2 * HOUR;
    const oldVapp = (await t.app.inject({ method: 'POST', url: '/vapp/token', payload: { name: me.username, password: me.password } })).json().token;
    offset = 0;
    vappAttacks.set('expired', [oldVapp, bad]);
    const gone = await vappSignup(t.app);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/users/me', headers: basic(gone.name, PASSWORD) })).statusCode, 200);
    vappAttacks.set('deleted user', [gone.token, 'auth:unauthorized']);
  });
  after(() => t.destroy());

  it('reads the auth mode of every route from its declaration; a route without one fails', () => {
    const undeclared = routes.filter((r) => r.mode === undefined).map((r) => `${r.key} (${String(r.auth)})`);
    assert.deepEqual(undeclared, [], 'routes without a config.auth declaration the suite knows (src/edge/route-auth.ts)');
    assert.ok(routesOf(routes, 'native').length >= 35);
    assert.equal(routesOf(routes, 'vapp').length, 6);
    // Under /api too: upstream's current web app calls the native family there.
    assert.deepEqual(
      routesOf(routes, 'basic').map((r) => r.key),
      ['DELETE /users/me', 'DELETE /api/users/me'],
    );
    assert.deepEqual(
      routesOf(routes, 'native-ws')
        .map((r) => r.key)
        .sort(),
      ['GET /:sessionId', 'GET /ws', 'GET /ws/:sessionId'],
    );
    assert.deepEqual(
      routesOf(routes, 'rooms-ws')
        .map((r) => r.key)
        .sort(),
      ['GET /api/v1/rooms/:room/messages/ws', 'GET /api/v1/rooms/:room/ws'],
    );
    // Opening a route to everyone is a decision to see here: the public routes, exactly.
    assert.deepEqual(
      routesOf(routes, 'public')
        .map((r) => r.key)
        .sort(),
      PUBLIC_ROUTES.slice().sort(),
    );
  });

  it('documents a security scheme in /openapi.json exactly for the token routes', async () => {
    const doc = (await t.app.inject('/openapi.json')).json();
    for (const [path, ops] of Object.entries<Record<string, { security?: unknown[] }>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const url = path.replace(/\{(\w+)\}/g, ':$1');
        const mode = modeAt(routes, method.toUpperCase(), url);
        assert.ok(mode, `${method} ${path} has no auth mode`);
        assert.equal(
          Boolean(op.security?.length),
          mode === 'native' || mode === 'vapp',
          `${method} ${path}: security ${JSON.stringify(op.security)} but mode ${mode}`,
        );
      }
    }
  });

  it('publishes only public key halves at /.well-known/jwks.json', async () => {
    const { keys } = (await t.app.inject('/.well-known/jwks.json')).json();
    assert.ok(keys.length >= 1);
    for (const key of keys) {
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(key[secret], undefined, `JWKS holds "${secret}"`);
    }
  });

  /** The three transports of seed 004 for `token` on `request`. */
  function transports(request: ReturnType<typeof exampleRequest>, token: string) {
    const sep = request.url.includes('?') ? '&' : '?';
    return [
      { ...request, headers: { ...request.headers, ...bearer(token) } },
      { ...request, headers: { ...request.headers, 'x-access-token': token } },
      { ...request, url: `${request.url}${sep}token=${encodeURIComponent(token)}` },
    ];
  }

  it('native routes: a valid token gets past authentication (the requests below are sound)', async () => {
    for (const route of routesOf(routes, 'native')) {
      // A session of its own per route: logout and changePassword end sessions.
      const login = await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(me.username, me.password) });
      const res = await t.app.inject(transports(exampleRequest(route), login.json().token)[0]!);
      const type = res.headers['content-type']?.toString().startsWith('application/problem+json') ? res.json().type : undefined;
      assert.notEqual(type, 'urn:parley:problem:unauthenticated', `${route.key}: ${res.statusCode} ${res.body}`);
      assert.ok(res.statusCode < 500, `${route.key}: ${res.statusCode} ${res.body}`);
    }
  });

  it('native routes: refuse every forged, tampered, expired, revoked or wrong-kind token with 401 on every transport', async () => {
    let checked = 0;
    for (const route of routesOf(routes, 'native')) {
      const request = exampleRequest(route);
      for (const [name, token] of nativeAttacks) {
        for (const attempt of transports(request, token)) {
          const res = await t.app.inject(attempt);
          assert.equal(res.statusCode, 401, `${route.key} with ${name}: ${res.statusCode} ${res.body}`);
          assert.equal(res.json().type, 'urn:parley:problem:unauthenticated', `${route.key} with ${name}`);
          assert.equal(res.headers['www-authenticate'], 'Bearer');
          checked++;
        }
      }
      const none = await t.app.inject(request);
      assert.equal(none.statusCode, 401, `${route.key} without a token`);
    }
    assert.ok(checked >= 35 * nativeAttacks.size * 3);
  });

  it('a rooms login token is a native token: good natively, refused by the V-app', async () => {
    const rooms = await t.app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: me.username, secret: me.password } });
    const token = rooms.json().data.token;
    assert.equal((await t.app.inject({ url: '/users/me', headers: bearer(token) })).statusCode, 200);
    const vapp = await t.app.inject({ url: '/vapp/users', headers: bearer(token) });
    assert.equal(vapp.statusCode, 400);
    assert.equal(vapp.json().type, 'auth:badtoken');
  });

  it('Basic-only DELETE /users/me ignores tokens: a valid token alone deletes nothing (401)', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: '/users/me', headers: bearer(me.token) });
    assert.equal(res.statusCode, 401);
    assert.equal((await t.app.inject({ url: '/users/me', headers: bearer(me.token) })).statusCode, 200);
  });

  it('V-app routes: a valid token passes, every bad one is 400 auth:badtoken (a deleted user 403 auth:unauthorized)', async () => {
    const vappRoutes = routesOf(routes, 'vapp');
    assert.equal(vappRoutes.length, 6);
    for (const route of vappRoutes) {
      const request = exampleRequest(route);
      const good = await t.app.inject(transports(request, vappToken)[0]!);
      assert.ok(!String(good.json().type).startsWith('auth:'), `${route.key} with a good token: ${good.body}`);
      for (const [name, [token, type]] of vappAttacks) {
        for (const attempt of transports(request, token)) {
          const res = await t.app.inject(attempt);
          assert.equal(res.statusCode, type === 'auth:unauthorized' ? 403 : 400, `${route.key} with ${name}: ${res.body}`);
          assert.equal(res.json().type, type, `${route.key} with ${name}`);
        }
      }
      const none = await t.app.inject(request);
      assert.equal(none.json().type, 'auth:missingtoken');
    }
  });

  it('socket upgrades (native and rooms) refuse every bad native token and V-app tokens with 401', async () => {
    const base = await listen(t);
    const sockets = routes.filter((r) => r.websocket && r.method === 'GET');
    // Native: /ws, /<session id>, /ws/<session id> (upstream's web app); rooms: two paths.
    assert.equal(sockets.length, 5);
    const room = 'security-lobby';
    const urlOf = (route: Route, sessionId: string) => base + route.url.replace(':sessionId', sessionId).replace(':room', room);
    for (const route of sockets) {
      assert.equal(await refusedWith(urlOf(route, me.sessionId), me.token), 101, `${route.key} with a good token`);
      for (const [name, token] of nativeAttacks) {
        const sid = (decodeJwt(token.split('.').length === 3 && token.startsWith('eyJ') ? token : me.token).sid as string | undefined) ?? me.sessionId;
        assert.equal(await refusedWith(`${urlOf(route, sid)}?token=${encodeURIComponent(token)}`), 401, `${route.key} with ${name} (query)`);
        if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) {
          assert.equal(await refusedWith(urlOf(route, sid), token), 401, `${route.key} with ${name} (subprotocol)`);
        }
      }
    }
    // Another session's id in the path is refused too.
    assert.equal(await refusedWith(`${base}/${victim.sessionId}`, me.token), 401);
  });

  it('no answer carried a password or account-key hash, or a token it did not issue', async () => {
    await t.app.inject({
      method: 'PUT',
      url: '/users/me/setAccountKey',
      headers: bearer(me.token),
      payload: { password: me.password, accountKey: 'an account key' },
    });
    await t.app.inject({ url: '/users/me', headers: bearer(me.token) });
    await t.app.inject({ url: `/users/${me.id}`, headers: bearer(victim.token) });
    await t.app.inject({ url: '/vapp/users', headers: bearer(vappToken) });
    assert.ok(seen.length > 1000);
    assert.ok(assertNothingLeaked(seen) > 10);
  });
});
