/**
 * The chat.connor.fun frontend's requests, as it sends them (frontend/src/stores/*.js of the
 * original), against a real server: what the rooms API answers them so the unmodified client works.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, uniqueName, type TestApp } from './helpers.js';
import { connect, listen, type TestSocket } from './ws-helpers.js';

describe('rooms API: the chat.connor.fun frontend', () => {
  let t: TestApp;
  let ws: string;
  let url: string;
  const sockets: TestSocket[] = [];
  const post = (path: string, payload: object) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });

  before(async () => {
    t = await startApp();
    ws = await listen(t);
    url = ws.replace('ws://', 'http://');
  });
  after(async () => {
    for (const s of sockets) s.ws.terminate();
    await t.destroy();
  });

  /** authStore.js register() (lines 56-60) then login() (lines 37-40): the form's email left empty. */
  const register = async (username = uniqueName('connor')) => {
    const created = await post('/api/v1/users', { username, secret: 'room secret 1', email: '' });
    assert.equal(created.status, 201, await created.clone().text());
    const login = await post('/api/v1/login', { username, secret: 'room secret 1' });
    assert.equal(login.status, 200);
    return ((await login.json()) as any).data as { token: string; user: { id: number; username: string; roles: Array<{ name: string }> } };
  };

  it('registers with "email": "" as no email (authStore.js line 59)', async () => {
    const [a, b] = [uniqueName('noemail'), uniqueName('noemail')];
    assert.equal((await post('/api/v1/users', { username: a, secret: 'room secret 1', email: '' })).status, 201);
    assert.equal((await post('/api/v1/users', { username: b, secret: 'room secret 1', email: '' })).status, 201, 'two empty emails do not collide');
    const stored = await t.app.core.ports.store.users.findByUsername(a);
    assert.equal(stored?.email, null);
    const bad = await post('/api/v1/users', { username: uniqueName('bademail'), secret: 'room secret 1', email: 'not-an-email' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as any).error.type, 'BAD_BINDING');
  });

  it('answers the login user with its roles, as the Lock components read them (Lock/HOC/index.js line 10)', async () => {
    const { user } = await register();
    assert.deepEqual(
      user.roles.map((r) => r.name),
      ['normalUser', 'anonUser'],
    );
    for (const role of user.roles) assert.deepEqual(Object.keys(role).sort(), ['name', 'override', 'permissions']);
  });

  it('joins a room: its id and members (roomStore.js lines 12-15), then history by room_id (lines 41-52)', async () => {
    const [w1, w2] = [await register(), await register()];
    const room = uniqueName('joinroom');
    const s1 = await connect(`${ws}/api/v1/rooms/${room}/ws`, [w1.token]);
    const s2 = await connect(`${ws}/api/v1/rooms/${room}/ws`, [w2.token]);
    const again = await connect(`${ws}/api/v1/rooms/${room}/ws`, [w1.token]);
    const reader = await connect(`${ws}/api/v1/rooms/${room}/ws`);
    sockets.push(s1, s2, again, reader);
    // One after the other: two sockets' frames sent at once may be stored in either order.
    s1.send({ text: 'first' });
    await reader.until(() => reader.frames.length >= 1, 5000, 'the first message');
    s2.send({ text: 'second' });
    await reader.until(() => reader.frames.length >= 2, 5000, 'both messages');

    const info = (await (await fetch(`${url}/api/v1/rooms/${room}`)).json()) as any;
    assert.equal(info.data.memberCount, 4);
    assert.deepEqual(
      info.data.members,
      [
        { id: w1.user.id, username: w1.user.username },
        { id: w2.user.id, username: w2.user.username },
      ],
      'signed-in users, each once',
    );

    // axios.get('/api/v1/messages', { params: { room_id, count: 50 } })
    const history = await fetch(`${url}/api/v1/messages?room_id=${info.data.id}&count=50`);
    assert.equal(history.status, 200);
    const messages = ((await history.json()) as any).data;
    assert.deepEqual(
      messages.map((m: any) => m.text),
      ['first', 'second'],
      'by room_id oldest first, as the original answered (its frontend sorts by whole seconds)',
    );
    assert.ok(
      messages.every((m: any) => typeof m.createTime === 'number'),
      'the frontend sorts by createTime',
    );

    // Bad or unknown ids are a clear 4xx in the envelope.
    for (const [query, status, type] of [
      ['room_id=not-a-uuid', 400, 'BAD_BINDING'],
      [`room_id=${crypto.randomUUID()}`, 404, 'NOT_FOUND'],
      ['count=5', 400, 'BAD_BINDING'],
    ] as const) {
      const res = await fetch(`${url}/api/v1/messages?${query}`);
      assert.equal(res.status, status, query);
      assert.equal(((await res.json()) as any).error.type, type, query);
    }
    // A chat that is not a room is not found by room_id.
    const chat = await t.app.inject({
      method: 'POST',
      url: '/chats',
      headers: { authorization: `Bearer ${w1.token}` },
      payload: { title: 'not a room', participants: [w2.user.id] },
    });
    assert.equal(chat.statusCode < 300, true, chat.body);
    assert.equal((await fetch(`${url}/api/v1/messages?room_id=${chat.json().id}`)).status, 404);
  });
});
