import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import jwt from 'jsonwebtoken';
import { bearer, register, startApp, uniqueName, type TestApp } from './helpers.js';
import { makePng, storedFiles } from './media-helpers.js';
import { PASSWORD, postImage, rsaKeys, startVonageMock, vappSignup } from './vapp-helpers.js';

describe('Vonage provisioning (against a local Conversation API)', () => {
  const keys = rsaKeys();
  const applicationId = randomUUID();
  let mock: Awaited<ReturnType<typeof startVonageMock>>;
  let t: TestApp;
  before(async () => {
    mock = await startVonageMock();
    t = await startApp({
      VONAGE_APPLICATION_ID: applicationId,
      VONAGE_PRIVATE_KEY: keys.privatePem,
      VONAGE_API_URL: mock.url,
      VONAGE_TIMEOUT_MS: '300',
      VONAGE_RETRIES: '2',
    });
  });
  after(async () => {
    await t.destroy();
    await mock.close();
  });
  afterEach(() => {
    mock.state.mode = 'normal';
    mock.requests.length = 0;
  });

  const signup = (name: string) => t.app.inject({ method: 'POST', url: '/vapp/signup', payload: { name, password: PASSWORD, display_name: 'Vonage User' } });
  const localUser = (name: string) => t.app.core.ports.store.users.findByUsername(name);

  /** Checks an admin JWT as the Conversation API would, and that it is one (no sub, no acl). */
  function checkAdminToken(authorization: string | undefined) {
    const token = authorization?.replace(/^Bearer /, '') ?? '';
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'RS256', typ: 'JWT' });
    const claims = jwt.verify(token, keys.publicPem, { algorithms: ['RS256'] }) as jwt.JwtPayload;
    assert.deepEqual(Object.keys(claims).sort(), ['application_id', 'exp', 'iat', 'jti']);
    assert.equal(claims.application_id, applicationId);
    assert.equal(claims.exp! - claims.iat!, 15 * 60);
    assert.ok(Math.abs(claims.iat! - Date.now() / 1000) < 60);
    assert.match(claims.jti ?? '', /^[0-9a-f-]{36}$/);
  }

  it('creates the Vonage user at sign-up and uses its id everywhere', async () => {
    const name = uniqueName('von');
    const res = await signup(name);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(mock.requests.length, 1);
    const [create] = mock.requests;
    assert.equal(create!.method, 'POST');
    assert.equal(create!.url, '/v0.3/users');
    assert.deepEqual(create!.body, { name, display_name: 'Vonage User' });
    checkAdminToken(create!.authorization);
    const vonageId = mock.users.get(name)!.id;
    const body = res.json();
    assert.equal(body.user.id, vonageId);
    assert.equal((await localUser(name))?.vonageUserId, vonageId);
    const claims = jwt.verify(body.token, keys.publicPem, { algorithms: ['RS256'] }) as jwt.JwtPayload;
    assert.equal(claims.user_id, vonageId);
    assert.equal(claims.sub, name);
    const other = await vappSignup(t.app);
    const listed = (await t.app.inject({ url: '/vapp/users', headers: bearer(other.token) })).json();
    assert.equal(listed.find((u: any) => u.name === name).id, vonageId);
  });

  it('adopts a user Vonage already has by that name', async () => {
    const name = uniqueName('old');
    mock.users.set(name, { id: 'USR-already-there', name });
    const res = await signup(name);
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(
      mock.requests.map((r) => `${r.method} ${r.url}`),
      ['POST /v0.3/users', `GET /v0.3/users?name=${name}`],
    );
    checkAdminToken(mock.requests[1]!.authorization);
    assert.equal(res.json().user.id, 'USR-already-there');
    assert.equal((await localUser(name))?.vonageUserId, 'USR-already-there');
  });

  it('settles two sign-ups of one name at once: one 201, one 409, one Vonage user', async () => {
    const name = uniqueName('race');
    const answers = await Promise.all([signup(name), signup(name)]);
    assert.deepEqual(answers.map((r) => r.statusCode).sort(), [201, 409]);
    const winner = answers.find((r) => r.statusCode === 201)!.json();
    assert.equal(winner.user.id, mock.users.get(name)!.id);
    assert.equal((await localUser(name))?.vonageUserId, winner.user.id);
  });

  it('checks the name locally before asking Vonage: a taken name never reaches it', async () => {
    const taken = await vappSignup(t.app);
    mock.requests.length = 0;
    assert.equal((await signup(taken.name)).statusCode, 409);
    assert.equal((await t.app.inject({ method: 'POST', url: '/vapp/signup', payload: { name: 'x' } })).statusCode, 403);
    assert.equal(mock.requests.length, 0);
  });

  it('answers a Vonage failure with 500 system:error and creates nothing locally (after bounded retries)', async () => {
    mock.state.mode = 'fail';
    const name = uniqueName('fail');
    const res = await signup(name);
    assert.equal(res.statusCode, 500);
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['detail', 'title', 'type']);
    assert.equal(body.type, 'system:error');
    assert.equal(body.title, 'System Failure');
    assert.match(body.detail, /HTTP 500.*Internal Error/);
    assert.equal(mock.requests.length, 3, 'the first attempt and two retries');
    assert.equal(await localUser(name), undefined);
    // The name is free: once Vonage is back, the sign-up works.
    mock.state.mode = 'normal';
    assert.equal((await signup(name)).statusCode, 201);
  });

  it('gives up on a Vonage that does not answer: 500 system:error within the time bound, nothing created', async () => {
    mock.state.mode = 'hang';
    const name = uniqueName('slow');
    const started = Date.now();
    const res = await signup(name);
    const took = Date.now() - started;
    assert.equal(res.statusCode, 500);
    assert.equal(res.json().type, 'system:error');
    assert.match(res.json().detail, /did not answer .* within 300 ms/);
    assert.equal(mock.requests.length, 3);
    // 3 attempts of 300 ms, 250 + 500 ms of backoff, and the sign-up's own work.
    assert.ok(took >= 900 && took < 5000, `took ${took} ms`);
    assert.equal(await localUser(name), undefined);
  });

  it('sends a new image to Vonage (PATCH image_url) before making it the photo', async () => {
    const user = await vappSignup(t.app);
    mock.requests.length = 0;
    const res = await postImage(t.app, '/vapp/users/image', user.token, await makePng(12, 12));
    assert.equal(res.statusCode, 200, res.body);
    const url = res.json().image_url;
    assert.deepEqual(
      mock.requests.map((r) => `${r.method} ${r.url}`),
      [`PATCH /v0.3/users/${encodeURIComponent(user.id)}`],
    );
    assert.deepEqual(mock.requests[0]!.body, { image_url: url });
    checkAdminToken(mock.requests[0]!.authorization);
    assert.equal(mock.users.get(user.name)!.image_url, url);
    // POST /image stores an image without telling Vonage.
    mock.requests.length = 0;
    assert.equal((await postImage(t.app, '/vapp/image', user.token, await makePng(9, 9))).statusCode, 200);
    assert.equal(mock.requests.length, 0);
  });

  it('keeps the old image when Vonage refuses the new one (500 system:error, the upload discarded)', async () => {
    const user = await vappSignup(t.app);
    const first = (await postImage(t.app, '/vapp/users/image', user.token, await makePng(12, 12))).json().image_url;
    const files = (await storedFiles(t)).length;
    mock.state.mode = 'fail';
    const res = await postImage(t.app, '/vapp/users/image', user.token, await makePng(14, 14, '#abc'));
    assert.equal(res.statusCode, 500);
    assert.equal(res.json().type, 'system:error');
    assert.equal((await storedFiles(t)).length, files);
    mock.state.mode = 'normal';
    const login = await t.app.inject({ method: 'POST', url: '/vapp/login', payload: { name: user.name, password: PASSWORD } });
    assert.equal(login.json().user.image_url, first);
  });

  it('provisions an account made natively at its first V-app log-in', async () => {
    const native = await register(t.app);
    mock.requests.length = 0;
    const res = await t.app.inject({ method: 'POST', url: '/vapp/login', payload: { name: native.username, password: native.password } });
    assert.equal(res.statusCode, 200, res.body);
    const vonageId = mock.users.get(native.username)!.id;
    assert.equal(res.json().user.id, vonageId);
    assert.deepEqual(mock.requests[0]!.body, { name: native.username, display_name: `Name ${native.username}` });
    // Only once.
    mock.requests.length = 0;
    assert.equal((await t.app.inject({ method: 'POST', url: '/vapp/token', payload: { name: native.username, password: native.password } })).statusCode, 200);
    assert.equal(mock.requests.length, 0);
  });
});
