import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import jwt from 'jsonwebtoken';
import { GENERATED_KEY_SETTING } from '../src/core/vonage-tokens.service.js';
import { basic, bearer, register, startApp, type TestApp } from './helpers.js';
import { PASSWORD, rsaKeys, startVonageMock, vappSignup } from './vapp-helpers.js';

const ACL_PATHS = [
  '/*/rtc/**',
  '/*/users/**',
  '/*/conversations/**',
  '/*/sessions/**',
  '/*/devices/**',
  '/*/image/**',
  '/*/media/**',
  '/*/applications/**',
  '/*/push/**',
  '/*/knocking/**',
  '/*/legs/**',
];
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A clock the tests move by hand. */
const testClock = () => ({
  t: Date.now(),
  now() {
    return this.t;
  },
});

describe('V-app tokens (generated key)', () => {
  let t: TestApp;
  const clock = testClock();
  before(async () => {
    t = await startApp({}, { clock });
  });
  after(() => t.destroy());

  const users = (headers: Record<string, string>, url = '/vapp/users') => t.app.inject({ url, headers });
  const expectTokenError = async (headers: Record<string, string>, type: string) => {
    const res = await users(headers);
    assert.equal(res.statusCode, 400, `${type}: ${res.body}`);
    assert.deepEqual(res.json(), {
      type,
      title: 'Bad Request',
      detail: type === 'auth:missingtoken' ? 'The request failed due to a missing token' : 'The request failed due to an incorrect token',
    });
  };
  /** The generated key, as the server keeps it. */
  const generated = async () =>
    JSON.parse((await t.app.core.ports.store.settings.get(GENERATED_KEY_SETTING))!) as { applicationId: string; privatePem: string };

  it('is an RS256 Vonage user JWT with exactly the claims of SPEC 3', async () => {
    const user = await vappSignup(t.app);
    assert.deepEqual(decodeProtectedHeader(user.token), { alg: 'RS256', typ: 'JWT' });
    const claims = decodeJwt(user.token);
    assert.deepEqual(Object.keys(claims).sort(), ['acl', 'application_id', 'exp', 'iat', 'jti', 'sub', 'user_id']);
    assert.equal(claims.application_id, await t.app.core.vonageTokens.applicationId());
    assert.equal(claims.application_id, (await generated()).applicationId);
    assert.equal(claims.sub, user.name);
    assert.equal(claims.user_id, user.id);
    assert.match(user.id, /^USR-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.match(claims.jti!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(claims.iat, Math.floor(clock.t / 1000));
    assert.equal(claims.exp! - claims.iat!, 3600);
    assert.deepEqual(claims.acl, { paths: Object.fromEntries(ACL_PATHS.map((p) => [p, {}])) });
  });

  it('verifies with the public key under an independent library (jsonwebtoken)', async () => {
    const user = await vappSignup(t.app);
    const publicPem = await t.app.core.vonageTokens.publicKeyPem();
    const payload = jwt.verify(user.token, publicPem, { algorithms: ['RS256'], clockTimestamp: Math.floor(clock.t / 1000) }) as jwt.JwtPayload;
    assert.equal(payload.sub, user.name);
    const { publicPem: otherKey } = rsaKeys();
    assert.throws(() => jwt.verify(user.token, otherKey, { algorithms: ['RS256'], clockTimestamp: Math.floor(clock.t / 1000) }));
  });

  it('is accepted from Authorization: Bearer, x-access-token and ?token=', async () => {
    const user = await vappSignup(t.app);
    for (const res of [await users(bearer(user.token)), await users({ 'x-access-token': user.token }), await users({}, `/vapp/users?token=${user.token}`)])
      assert.equal(res.statusCode, 200, res.body);
  });

  it('is accepted as the whole Authorization header, without Bearer (as expressa’s clients send it)', async () => {
    const user = await vappSignup(t.app);
    const res = await users({ authorization: user.token });
    assert.equal(res.statusCode, 200, res.body);
    await expectTokenError({ authorization: 'not-a-jwt' }, 'auth:badtoken');
    await expectTokenError({ authorization: 'Bearer' }, 'auth:missingtoken');
  });

  it('answers the seed’s three token errors', async () => {
    await expectTokenError({}, 'auth:missingtoken');
    await expectTokenError({ authorization: 'Basic YTpi' }, 'auth:missingtoken');
    await expectTokenError(bearer('not-a-jwt'), 'auth:badtoken');
    // A correctly signed token without user_id.
    const { applicationId, privatePem } = await generated();
    const iat = Math.floor(clock.t / 1000);
    const user = await vappSignup(t.app);
    const noUserId = jwt.sign({ application_id: applicationId, sub: user.name, iat, exp: iat + 60, jti: randomUUID() }, privatePem, { algorithm: 'RS256' });
    await expectTokenError(bearer(noUserId), 'auth:missinguserid');
    // The same token with user_id is good, so the only fault above was the missing claim.
    const withUserId = jwt.sign({ application_id: applicationId, sub: user.name, user_id: user.id, iat, exp: iat + 60 }, privatePem, { algorithm: 'RS256' });
    assert.equal((await users(bearer(withUserId))).statusCode, 200);
  });

  it('refuses forged tokens: other key, alg none, HS256 with the public key, tampered claims', async () => {
    const user = await vappSignup(t.app);
    const victim = await vappSignup(t.app);
    const claims = decodeJwt(user.token);
    const [h, , s] = user.token.split('.') as [string, string, string];
    const publicPem = await t.app.core.vonageTokens.publicKeyPem();
    const { exp: _exp, ...withoutExp } = claims;
    const forged = [
      jwt.sign(claims, rsaKeys().privatePem, { algorithm: 'RS256' }),
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(publicPem)),
      `${h}.${b64({ ...claims, sub: victim.name, user_id: victim.id })}.${s}`,
      // Right key, but another application id.
      jwt.sign({ ...claims, application_id: randomUUID() }, (await generated()).privatePem, { algorithm: 'RS256' }),
      // Right key, no exp.
      jwt.sign(withoutExp, (await generated()).privatePem, { algorithm: 'RS256' }),
    ];
    for (const token of forged) await expectTokenError(bearer(token), 'auth:badtoken');
    assert.equal((await users(bearer(user.token))).statusCode, 200);
  });

  it('expires an hour after it was issued', async () => {
    const user = await vappSignup(t.app);
    const start = clock.t;
    try {
      clock.t = start + 3599_000;
      assert.equal((await users(bearer(user.token))).statusCode, 200);
      clock.t = start + 3601_000;
      await expectTokenError(bearer(user.token), 'auth:badtoken');
      const fresh = await t.app.inject({ method: 'POST', url: '/vapp/token', payload: { name: user.name, password: PASSWORD } });
      assert.equal((await users(bearer(fresh.json().token))).statusCode, 200);
    } finally {
      clock.t = start;
    }
  });

  it('keeps the two kinds apart: native tokens fail here, V-app tokens fail natively', async () => {
    const native = await register(t.app);
    await expectTokenError(bearer(native.token), 'auth:badtoken');
    await expectTokenError({ 'x-access-token': native.token }, 'auth:badtoken');
    const vapp = await t.app.inject({ method: 'POST', url: '/vapp/login', payload: { name: native.username, password: native.password } });
    const vappToken = vapp.json().token;
    for (const headers of [bearer(vappToken), { 'x-access-token': vappToken }]) {
      const res = await t.app.inject({ url: '/users/me', headers });
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    }
    assert.equal((await t.app.inject({ url: `/users/me?token=${vappToken}` })).statusCode, 401);
    assert.equal((await t.app.inject({ url: '/users/me', headers: bearer(native.token) })).statusCode, 200);
  });

  it('answers 403 auth:unauthorized for a good token whose account is gone', async () => {
    const user = await vappSignup(t.app);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/users/me', headers: basic(user.name, PASSWORD) })).statusCode, 200);
    const res = await users(bearer(user.token));
    assert.equal(res.statusCode, 403);
    assert.deepEqual(res.json(), { type: 'auth:unauthorized', title: 'Bad Request', detail: 'The request failed due to invalid credentials' });
    // Re-created under the same name, it is another account: the old token still does not pass.
    await vappSignup(t.app, { name: user.name });
    assert.equal((await users(bearer(user.token))).statusCode, 403);
  });

  it('lets two nodes making the key at once agree on one', async () => {
    const first = await startApp();
    const second = await startApp({}, { dataDir: first.dataDir });
    try {
      const [a, b] = await Promise.all([first.app.core.vonageTokens.applicationId(), second.app.core.vonageTokens.applicationId()]);
      assert.equal(a, b);
      const user = await vappSignup(first.app);
      assert.equal((await second.app.inject({ url: '/vapp/users', headers: bearer(user.token) })).statusCode, 200);
    } finally {
      await second.close();
      await first.destroy();
    }
  });

  it('keeps the generated key and application id across restarts', async () => {
    const user = await vappSignup(t.app);
    const before = await generated();
    await t.close();
    t = await startApp({}, { clock, dataDir: t.dataDir });
    assert.deepEqual(await generated(), before);
    assert.equal((await users(bearer(user.token))).statusCode, 200);
  });
});

describe('V-app tokens (configured Vonage application)', () => {
  const keys = rsaKeys();
  const applicationId = randomUUID();
  let mock: Awaited<ReturnType<typeof startVonageMock>>;
  let t: TestApp;
  before(async () => {
    mock = await startVonageMock();
    t = await startApp({ VONAGE_APPLICATION_ID: applicationId, VONAGE_PRIVATE_KEY: keys.privatePem, VONAGE_API_URL: mock.url });
  });
  after(async () => {
    await t.destroy();
    await mock.close();
  });

  it('signs with VONAGE_PRIVATE_KEY for VONAGE_APPLICATION_ID', async () => {
    const user = await vappSignup(t.app);
    const payload = jwt.verify(user.token, keys.publicPem, { algorithms: ['RS256'] }) as jwt.JwtPayload;
    assert.equal(payload.application_id, applicationId);
    assert.equal(payload.user_id, user.id);
    assert.equal(await t.app.core.ports.store.settings.get(GENERATED_KEY_SETTING), undefined, 'no key was generated');
  });

  it('accepts a token another backend made with the same key (e.g. the Vonage CLI)', async () => {
    const user = await vappSignup(t.app);
    const token = jwt.sign({ application_id: applicationId, sub: user.name, user_id: user.id, acl: { paths: {} } }, keys.privatePem, {
      algorithm: 'RS256',
      expiresIn: 60,
    });
    assert.equal((await t.app.inject({ url: '/vapp/users', headers: bearer(token) })).statusCode, 200);
  });

  it('refuses to start with a key that is not RSA', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await assert.rejects(startApp({ VONAGE_APPLICATION_ID: applicationId, VONAGE_PRIVATE_KEY: pem }), /VONAGE_PRIVATE_KEY must be an RSA private key/);
  });
});
