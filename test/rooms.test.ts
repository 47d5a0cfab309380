/** The rooms API (SPEC 4): its envelope, accounts shared with the native API, and room sockets on a real server. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, startApp, uniqueName, type TestApp } from './helpers.js';
import { connect, listen, refusedWith, type TestSocket } from './ws-helpers.js';

describe('rooms API', () => {
  let t: TestApp;
  let url: string;
  const sockets: TestSocket[] = [];
  const signUp = (username: string, secret = 'room secret 1') => t.app.inject({ method: 'POST', url: '/api/v1/users', payload: { username, secret } });
  const logIn = (username: string, secret = 'room secret 1') => t.app.inject({ method: 'POST', url: '/api/v1/login', payload: { username, secret } });
  const account = async () => {
    const username = uniqueName('room');
    await signUp(username);
    const { data } = (await logIn(username)).json();
    return { username, id: data.user.id as number, token: data.token as string };
  };
  const open = async (path: string, protocols?: string | string[]) => {
    const s = await connect(`${url}${path}`, protocols);
    sockets.push(s);
    return s;
  };

  before(async () => {
    t = await startApp({ RATE_LIMITS: 'login_user=5/15m' });
    url = await listen(t);
  });
  after(async () => {
    for (const s of sockets) s.ws.terminate();
    await t.destroy();
  });

  it('creates accounts: 201 with the envelope, 409 USER_EXISTS, 400 BAD_BINDING and BAD_PASSWORD', async () => {
    const username = uniqueName('someuser');
    const created = await signUp(username);
    assert.equal(created.statusCode, 201);
    assert.deepEqual(created.json(), { error: null, data: { id: created.json().data.id, username } });
    const again = await signUp(username.toUpperCase());
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.type, 'USER_EXISTS');
    assert.equal(again.json().data, null);
    for (const payload of [
      { username: 'x' },
      { secret: 'y' },
      'not json',
      { username: 5, secret: 'password123' },
      { username: 'bad name!', secret: 'password123' },
    ]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/users', payload: payload as object, headers: { 'content-type': 'application/json' } });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().error.type, 'BAD_BINDING');
    }
    const weak = await signUp(uniqueName(), 'short');
    assert.equal(weak.statusCode, 400);
    assert.equal(weak.json().error.type, 'BAD_PASSWORD');
  });

  it('logs in with a native access token; wrong password and unknown user answer alike', async () => {
    const { username, token, id } = await account();
    const me = await t.app.inject({ url: '/users/me', headers: bearer(token) });
    assert.equal(me.statusCode, 200, 'the rooms token is a native access token');
    assert.equal(me.json().id, id);
    const wrong = await logIn(username, 'wrong secret');
    const unknown = await logIn(uniqueName('ghost'), 'wrong secret');
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(wrong.json(), unknown.json());
    assert.equal(wrong.json().error.type, 'PASSWORD_MATCH_FAILED');
    // A native user logs in here too.
    const native = await t.app.inject({ method: 'POST', url: '/users', payload: { name: 'N', username: uniqueName('native'), password: 'password123' } });
    assert.equal((await logIn(native.json().username, 'password123')).statusCode, 200);
  });

  it('counts failed logins with the other families: 429 RATE_LIMITED with Retry-After', async () => {
    const { username } = await account();
    for (let i = 0; i < 5; i++) assert.equal((await logIn(username, 'wrong secret')).statusCode, 401);
    const limited = await logIn(username);
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error.type, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    const native = await t.app.inject({ method: 'POST', url: '/users/login', payload: { username, password: 'room secret 1' } });
    assert.equal(native.statusCode, 429, 'the same limit holds on the native login');
  });

  it('two writers and an anonymous reader share a room created on first join', async () => {
    const [w1, w2] = [await account(), await account()];
    const room = uniqueName('Lobby');
    assert.equal((await t.app.inject(`/api/v1/rooms/${room}`)).json().error.type, 'NOT_FOUND');
    const reader = await open(`/api/v1/rooms/${room}/messages/ws`);
    const first = await open(`/api/v1/rooms/${room}/messages/ws`, [w1.token]);
    assert.equal(first.ws.protocol, w1.token, 'the token subprotocol is echoed');
    const second = await open(`/api/v1/rooms/${room}/ws?token=${w2.token}`);
    const info = await t.app.inject(`/api/v1/rooms/${room}`);
    assert.equal(info.json().data.memberCount, 3);
    assert.equal(info.json().data.name, room.toLowerCase());
    first.send({ text: 'hello room' });
    await reader.until(() => reader.frames.length >= 1);
    second.send({ text: 'hi all' });
    for (const s of [reader, first, second]) {
      await s.until(() => s.frames.length >= 2, 5000, 'two arrays');
      const messages = s.frames.flat();
      assert.deepEqual(
        messages.map((m: any) => [m.sender.username, m.text]),
        [
          [w1.username, 'hello room'],
          [w2.username, 'hi all'],
        ],
      );
      assert.equal(typeof messages[0].id, 'number');
      assert.ok(Math.abs(messages[0].createTime - Date.now() / 1000) < 60, 'createTime in Unix seconds');
    }
    const history = (await t.app.inject(`/api/v1/messages?room=${room}&count=50`)).json().data;
    assert.deepEqual(
      history.map((m: any) => m.text),
      ['hi all', 'hello room'],
    );
    const older = (await t.app.inject(`/api/v1/messages?room=${room}&before=${history[0].id}`)).json().data;
    assert.deepEqual(
      older.map((m: any) => m.text),
      ['hello room'],
    );
    // Stored in the one messages table, with the chat's gap-free seq.
    const chat = await t.app.core.ports.store.chats.findByRoomName(room.toLowerCase());
    const stored = await t.app.core.ports.store.messages.listBefore(chat!.id, null, 10);
    assert.deepEqual(
      stored.map((m) => m.seq),
      [2, 1],
    );
    // The same user may hold several room sockets.
    const again = await open(`/api/v1/rooms/${room}/ws`, [w1.token]);
    again.send({ text: 'from a second tab' });
    await first.until(() => first.frames.flat().some((m: any) => m.text === 'from a second tab'));
    assert.equal(first.closed, undefined);
  });

  it('closes a read-only socket that writes with 1008, and malformed frames with 1007', async () => {
    const w = await account();
    const room = uniqueName('strict');
    const anonymous = await open(`/api/v1/rooms/${room}/ws`);
    anonymous.send({ text: 'let me talk' });
    assert.equal((await anonymous.waitClosed()).code, 1008);
    for (const bad of ['not json', '{"nope": 1}', '{"text": 5}', JSON.stringify({ text: 'x'.repeat(3000) }), JSON.stringify({ text: '  ' })]) {
      const s = await open(`/api/v1/rooms/${room}/ws`, [w.token]);
      s.send(bad);
      assert.equal((await s.waitClosed()).code, 1007, bad.slice(0, 20));
    }
  });

  it('refuses a bad token and bad room names, and answers history errors in the envelope', async () => {
    assert.equal(await refusedWith(`${url}/api/v1/rooms/lobby/ws`, 'not.a.token'), 401);
    assert.equal(await refusedWith(`${url}/api/v1/rooms/lobby/ws?token=garbage`), 401);
    assert.equal(await refusedWith(`${url}/api/v1/rooms/bad%20name/ws`), 400);
    const missing = await t.app.inject('/api/v1/messages?room=never-made');
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { error: { type: 'NOT_FOUND', message: 'Room not found.' }, data: null });
    const badQuery = await t.app.inject('/api/v1/messages?room=x&count=500');
    assert.equal(badQuery.json().error.type, 'BAD_BINDING');
    assert.equal((await t.app.inject('/api/v1/nothing')).json().error.type, 'NOT_FOUND');
  });
});
