/**
 * The edge's one credentials reader (src/edge/credentials.ts): every transport on its own,
 * then through a real server, one route of each family that takes a credential: the native
 * token routes, the V-app token routes, Basic on account deletion, and the subprotocol token
 * on the native and rooms sockets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicCredentials, bearerToken, chooseProtocol, offeredProtocols, socketToken, tokenProtocol } from '../src/edge/credentials.js';
import { basic, register, startApp, type Registered, type TestApp } from './helpers.js';
import { PASSWORD, vappSignup } from './vapp-helpers.js';
import { connect, listen, refusedWith } from './ws-helpers.js';

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
const asRequest = (headers: Record<string, string | string[]>, query: Record<string, unknown> = {}) => ({ headers, query }) as never;

describe('edge: credentials, each transport', () => {
  it('reads a token from Bearer, x-access-token and ?token=, in that order', () => {
    assert.equal(bearerToken(asRequest({ authorization: 'Bearer abc' })), 'abc');
    assert.equal(bearerToken(asRequest({ authorization: 'bearer   abc  ' })), 'abc');
    assert.equal(bearerToken(asRequest({ 'x-access-token': ' def ' })), 'def');
    assert.equal(bearerToken(asRequest({}, { token: 'ghi' })), 'ghi');
    assert.equal(bearerToken(asRequest({ authorization: 'Bearer abc', 'x-access-token': 'def' }, { token: 'ghi' })), 'abc');
    assert.equal(bearerToken(asRequest({ authorization: 'Basic eDp5', 'x-access-token': 'def' })), 'def');
    assert.equal(bearerToken(asRequest({ authorization: 'Bearer a b', 'x-access-token': '  ' }, { token: '' })), undefined);
    assert.equal(bearerToken(asRequest({}, { token: ['a', 'b'] })), undefined);
  });

  it('reads a socket token from any HTTP transport first, else the first JWT-looking subprotocol', () => {
    assert.deepEqual(offeredProtocols(asRequest({ 'sec-websocket-protocol': ' chat , v1,' })), ['chat', 'v1']);
    assert.equal(tokenProtocol(['chat', JWT, 'x.y.z']), JWT);
    assert.equal(tokenProtocol(['chat', 'not a token']), undefined);
    assert.equal(socketToken(asRequest({ 'sec-websocket-protocol': `chat, ${JWT}` })), JWT);
    assert.equal(socketToken(asRequest({ 'sec-websocket-protocol': JWT }, { token: 'query' })), 'query');
    assert.equal(socketToken(asRequest({ 'sec-websocket-protocol': 'chat' })), undefined);
    // The token protocol is echoed back (browsers require one of theirs), else the first offered.
    assert.equal(chooseProtocol(new Set(['chat', JWT])), JWT);
    assert.equal(chooseProtocol(new Set(['chat'])), 'chat');
    assert.equal(chooseProtocol(new Set()), false);
  });

  it('reads Basic name and password; a name with @ is an email; malformed is none', () => {
    const b64 = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
    assert.deepEqual(basicCredentials(asRequest({ authorization: b64('ann:pw:with:colons') })), { id: { username: 'ann' }, password: 'pw:with:colons' });
    assert.deepEqual(basicCredentials(asRequest({ authorization: b64('ann@example.com:pw') })), { id: { email: 'ann@example.com' }, password: 'pw' });
    assert.equal(basicCredentials(asRequest({ authorization: b64(':pw') })), undefined);
    assert.equal(basicCredentials(asRequest({ authorization: b64('no colon') })), undefined);
    assert.equal(basicCredentials(asRequest({ authorization: b64('a\u0000b:pw') })), undefined);
    assert.equal(basicCredentials(asRequest({ authorization: 'Basic !!!' })), undefined);
    assert.equal(basicCredentials(asRequest({ authorization: 'Bearer abc' })), undefined);
  });
});

describe('edge: credentials, through a real server', () => {
  let t: TestApp;
  let base: string;
  let me: Registered;
  before(async () => {
    t = await startApp();
    base = (await listen(t)).replace('ws://', 'http://');
    me = await register(t.app);
  });
  after(() => t.destroy());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

  it('native token routes take every HTTP transport, and 401 without one', async () => {
    for (const [path, headers] of [
      ['/users/me', { authorization: `Bearer ${me.token}` }],
      ['/users/me', { 'x-access-token': me.token }],
      [`/users/me?token=${me.token}`, {}],
    ] as const) {
      const res = await get(path, headers);
      assert.equal(res.status, 200, `${path} ${JSON.stringify(headers)}`);
      assert.equal(((await res.json()) as { id: number }).id, me.id);
    }
    const none = await get('/users/me');
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
  });

  it('V-app token routes take every HTTP transport', async () => {
    const user = await vappSignup(t.app);
    for (const [path, headers] of [
      ['/vapp/users', { authorization: `Bearer ${user.token}` }],
      ['/vapp/users', { 'x-access-token': user.token }],
      [`/vapp/users?token=${user.token}`, {}],
    ] as const) {
      const res = await get(path, headers);
      assert.equal(res.status, 200, `${path} ${JSON.stringify(headers)}: ${await res.clone().text()}`);
      assert.ok(Array.isArray((await res.json()) as unknown));
    }
    const none = await get('/vapp/users');
    assert.equal(none.status, 400);
    assert.equal(((await none.json()) as { type: string }).type, 'auth:missingtoken');
    // Basic credentials log in on the native family too (one account, whichever API made it).
    const login = await fetch(`${base}/users/login`, { method: 'POST', headers: basic(user.name, PASSWORD) });
    assert.equal(login.status, 200);
  });

  it('Basic credentials delete an account; without them 401', async () => {
    const gone = await register(t.app);
    const refused = await fetch(`${base}/users/me`, { method: 'DELETE', headers: { authorization: `Bearer ${gone.token}` } });
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { type: string }).type, 'urn:parley:problem:unauthenticated');
    const deleted = await fetch(`${base}/users/me`, { method: 'DELETE', headers: basic(gone.username, gone.password) });
    assert.equal(deleted.status, 200);
    assert.equal((await get('/users/me', { authorization: `Bearer ${gone.token}` })).status, 401);
  });

  it('sockets take the token as a subprotocol (echoed back) or in the query, native and rooms', async () => {
    const ws = base.replace('http://', 'ws://');
    const native = await connect(`${ws}/ws`, ['parley', me.token]);
    assert.equal(native.ws.protocol, me.token);
    native.close();
    const bySession = await connect(`${ws}/${me.sessionId}`, [me.token]);
    bySession.close();
    const rooms = await connect(`${ws}/api/v1/rooms/lobby/ws`, [me.token]);
    assert.equal(rooms.ws.protocol, me.token);
    rooms.close();
    const query = await connect(`${ws}/api/v1/rooms/lobby/ws?token=${me.token}`);
    query.close();
    assert.equal(await refusedWith(`${ws}/ws`), 401);
    assert.equal(await refusedWith(`${ws}/ws`, [JWT]), 401);
    assert.equal(await refusedWith(`${ws}/api/v1/rooms/lobby/ws`, [JWT]), 401);
  });
});
