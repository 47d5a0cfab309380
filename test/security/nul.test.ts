/**
 * Found probing what the fuzzer hinted at on PostgreSQL: a NUL character (U+0000) in any
 * stored or looked-up string (a name, a message, a search, a device name, a Basic user name)
 * failed the query there (PostgreSQL text cannot hold it) and answered 500, while SQLite
 * stored it. Now every family refuses it alike on every store, with its validation answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, client, register, startApp, type Registered, type TestApp } from '../helpers.js';
import { connect, listen } from '../ws-helpers.js';
import { findNul } from '../../src/api/validation.js';

const N = 'a\u0000b';

describe('security: NUL characters', () => {
  let t: TestApp;
  let user: Registered;
  let other: Registered;
  let chatId: string;
  before(async () => {
    t = await startApp();
    user = await register(t.app);
    other = await register(t.app);
    chatId = (await client(t.app, user.token)('POST', '/chats', { title: 'g', participants: [other.id], isPersonal: false })).json().id;
  });
  after(() => t.destroy());

  it('findNul finds a NUL in any value or key, however deep, and nothing else', () => {
    assert.equal(findNul({ a: [{ b: 'ok' }, { c: N }] }), 'a.1.c');
    assert.equal(findNul(JSON.parse('{"k\\u0000": 1}')), 'k\u0000');
    assert.equal(findNul(N), 'body');
    let deep: unknown = N;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.equal(findNul(deep)?.split('.').length, 100_000);
    assert.equal(findNul({ a: 'é😀\u202e', b: [1, null, true] }), undefined);
  });

  it('every family answers its validation error, never 500, and stores nothing', async () => {
    const as = client(t.app, user.token);
    const native: Array<['GET' | 'POST' | 'PUT', string, unknown?]> = [
      ['PUT', '/users/me', { about: N }],
      ['PUT', '/users/me', { name: N }],
      ['PUT', '/users/me/device', { deviceName: N, deviceToken: N }],
      ['POST', `/chats/${chatId}/messages`, { localId: 'l1', text: N }],
      ['POST', `/chats/${chatId}/messages`, { localId: N, text: 'x' }],
      ['PUT', `/chats/${chatId}`, { title: N }],
      ['POST', '/users/me/contacts', { name: N, user: { id: other.id } }],
      ['GET', '/users?s=%00'],
      ['POST', '/users', { name: N, username: 'nuluser1', password: 'password1' }],
      ['POST', '/users/login', { username: N, password: 'x' }],
      ['POST', '/users/login', { email: 'a\u0000@x.com', password: 'x' }],
      ['POST', '/chats', { title: N, participants: [other.id], isPersonal: false }],
      ['POST', '/users', { name: 'ok', username: 'nuluser2', password: 'password1', email: `${N}@x.com`, deviceInfo: { id: N, name: N } }],
      ['POST', '/users/login', { username: user.username, password: user.password, deviceInfo: { name: N } }],
    ];
    for (const [method, url, body] of native) {
      const res = await as(method, url, body);
      assert.equal(res.statusCode, 400, `${method} ${url} ${JSON.stringify(body)}: ${res.statusCode} ${res.body}`);
      assert.match(res.json().invalid_parameters[0].reason, /NUL/);
    }
    const rooms = await t.app.inject({ method: 'POST', url: '/api/v1/users', payload: { username: 'nulroom', secret: 'password1', email: 'a\u0000@b.c' } });
    assert.equal(rooms.statusCode, 400);
    assert.equal(rooms.json().error.type, 'BAD_BINDING');
    const roomsLogin = await t.app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: N, secret: 'x' } });
    assert.equal(roomsLogin.statusCode, 400);
    const vapp = await t.app.inject({ method: 'POST', url: '/vapp/signup', payload: { name: 'nulvapp', password: 'password1', display_name: `${N}xyz` } });
    assert.equal(vapp.statusCode, 403);
    assert.equal(vapp.json().type, 'data:validation');
    const basicNul = await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(N, 'password1') });
    assert.equal(basicNul.statusCode, 401);
    const deleteNul = await t.app.inject({ method: 'DELETE', url: '/users/me', headers: basic(N, 'password1') });
    assert.equal(deleteNul.statusCode, 401);
    // Nothing was stored on the way.
    const me = (await as('GET', '/users/me')).json();
    assert.ok(!JSON.stringify(me).includes('\\u0000'));
    assert.equal((await as('GET', `/chats/${chatId}/messages`)).json().length, 0);
  });

  it('on sockets: a native action is a validation ack, a room frame closes with 1007', async () => {
    const base = await listen(t);
    const socket = await connect(`${base}/ws?token=${user.token}`);
    socket.send({ action: 'send', chatId, localId: 'nul', text: N, requestId: 'n' });
    const [ack] = await socket.waitFor('ack');
    assert.equal(ack!.payload.ok, false);
    assert.equal(ack!.payload.error, 'validation');
    socket.close();
    const room = await connect(`${base}/api/v1/rooms/nul/ws`, user.token);
    room.send({ text: N });
    assert.equal((await room.waitClosed()).code, 1007);
    // No message in the room (which may not even exist yet: rooms are made on first join, asynchronously).
    const history = (await t.app.inject('/api/v1/messages?room=nul')).json();
    assert.ok(history.data === null || history.data.length === 0, JSON.stringify(history));
  });
});
