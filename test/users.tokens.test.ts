import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, SignJWT } from 'jose';
import { bearer, problemOf, register, startApp, type TestApp } from './helpers.js';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens', () => {
  let t: TestApp;
  let now = Date.now();
  const clock = { now: () => now };
  before(async () => {
    t = await startApp({ TOKEN_TTL_SECONDS: '600' }, { clock });
  });
  after(() => t.destroy());

  it('is an EdDSA JWT bound to the session, verifiable with the published JWKS', async () => {
    const user = await register(t.app);
    const header = decodeProtectedHeader(user.token);
    assert.equal(header.alg, 'EdDSA');
    assert.equal(header.typ, 'at+jwt');
    const claims = decodeJwt(user.token);
    assert.equal(claims.sub, user.uid);
    assert.equal(claims.sid, user.sessionId);
    assert.equal(claims.exp! - claims.iat!, 600);
    assert.equal(typeof claims.jti, 'string');
    const { keys } = (await t.app.inject('/.well-known/jwks.json')).json();
    const jwk = keys.find((k: any) => k.kid === header.kid);
    const { payload } = await jwtVerify(user.token, await importJWK(jwk, 'EdDSA'));
    assert.equal(payload.sid, user.sessionId);
  });

  it('is accepted from Authorization: Bearer, x-access-token and ?token=', async () => {
    const user = await register(t.app);
    for (const request of [
      { url: '/users/me', headers: bearer(user.token) },
      { url: '/users/me', headers: { authorization: `bearer ${user.token}` } },
      { url: '/users/me', headers: { 'x-access-token': user.token } },
      { url: `/users/me?token=${encodeURIComponent(user.token)}` },
    ]) {
      const res = await t.app.inject(request);
      assert.equal(res.statusCode, 200, JSON.stringify(request.headers ?? request.url));
      assert.equal(res.json().id, user.id);
    }
  });

  it('refuses a missing token with 401 and WWW-Authenticate', async () => {
    const res = await t.app.inject('/users/me');
    problemOf(res, 401);
    assert.equal(res.headers['www-authenticate'], 'Bearer');
    problemOf(await t.app.inject({ url: '/users/me', headers: { authorization: 'Token abc' } }), 401);
    problemOf(await t.app.inject({ url: '/users/me', headers: bearer('not.a.jwt') }), 401);
  });

  it('refuses tampered, alg:none, wrong-key and wrong-kind tokens', async () => {
    const user = await register(t.app);
    const [h, p, s] = user.token.split('.') as [string, string, string];
    const claims = decodeJwt(user.token);
    const header = decodeProtectedHeader(user.token);
    const forged = [
      // another user's id in the payload, original signature
      `${h}.${b64({ ...claims, sub: '00000000-0000-0000-0000-000000000000' })}.${s}`,
      // alg: none
      `${b64({ alg: 'none', typ: 'at+jwt', kid: header.kid })}.${p}.`,
      // HS256 with the public key as the secret
      await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: header.kid })
        .sign(new TextEncoder().encode(JSON.stringify((await t.app.inject('/.well-known/jwks.json')).json().keys[0]))),
    ];
    const { privateKey } = generateKeyPairSync('ed25519');
    // a correct shape signed by a key the server does not know (same kid)
    forged.push(await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: header.kid }).sign(privateKey));
    // the right key but the wrong kind: a plain JWT (as the V-app issues) is not an access token
    const serverKey = await keyOf(t);
    forged.push(await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: header.kid }).sign(serverKey));
    forged.push(await new SignJWT({ ...claims, aud: 'vapp' }).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: header.kid }).sign(serverKey));
    const { exp: _exp, ...noExp } = claims;
    forged.push(await new SignJWT(noExp).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: header.kid }).sign(serverKey));
    for (const token of forged) problemOf(await t.app.inject({ url: '/users/me', headers: bearer(token) }), 401);
    // the genuine token still works, and a correctly re-signed copy is honoured (the key test is sound)
    assert.equal((await t.app.inject({ url: '/users/me', headers: bearer(user.token) })).statusCode, 200);
    const resigned = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: header.kid }).sign(serverKey);
    assert.equal((await t.app.inject({ url: '/users/me', headers: bearer(resigned) })).statusCode, 200);
  });

  it('expires after TOKEN_TTL_SECONDS', async () => {
    const user = await register(t.app);
    now += 599_000;
    assert.equal((await t.app.inject({ url: '/users/me', headers: bearer(user.token) })).statusCode, 200);
    now += 2_000;
    problemOf(await t.app.inject({ url: '/users/me', headers: bearer(user.token) }), 401);
  });

  it('keeps the signing key across restarts', async () => {
    const user = await register(t.app);
    const restarted = await startApp({ TOKEN_TTL_SECONDS: '600' }, { clock, dataDir: t.dataDir });
    try {
      assert.equal((await restarted.app.inject({ url: '/users/me', headers: bearer(user.token) })).statusCode, 200);
    } finally {
      await restarted.close();
    }
  });
});

describe('a configured TOKEN_SIGNING_KEY', () => {
  it('signs with the configured ES256 key and publishes it', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const t = await startApp({ TOKEN_SIGNING_KEY: pem });
    try {
      const user = await register(t.app);
      assert.equal(decodeProtectedHeader(user.token).alg, 'ES256');
      const { keys } = (await t.app.inject('/.well-known/jwks.json')).json();
      assert.equal(keys[0].crv, 'P-256');
      assert.equal((await t.app.inject({ url: '/users/me', headers: bearer(user.token) })).statusCode, 200);
    } finally {
      await t.destroy();
    }
  });

  it('refuses to start with an RSA key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await assert.rejects(startApp({ TOKEN_SIGNING_KEY: pem }), /Ed25519 or P-256/);
  });
});

/** The server's own private key, read from its store, to forge tokens that differ only in one claim. */
async function keyOf(t: TestApp) {
  const [record] = await t.app.core.ports.store.signingKeys.list();
  const { createPrivateKey } = await import('node:crypto');
  return createPrivateKey(record!.privatePem);
}
