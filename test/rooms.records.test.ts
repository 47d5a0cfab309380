/**
 * `GET /api/v1/users/<id>`, `GET` and `PUT /api/v1/messages/<id>` as chat.connor.fun's Go
 * server serves them (controllers/user_controller.go GetUser, controllers/messages_controller.go
 * GetMessage and UpdateMessage; assets/roles.json for who may): auth, shapes and error types.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { register as registerNative, startApp, uniqueName, type TestApp } from './helpers.js';

describe('rooms API: one user, one message', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.destroy());

  const call = async (method: string, url: string, token?: string, payload?: unknown) => {
    const res = await t.app.inject({
      method: method as 'GET',
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const login = async () => {
    const username = uniqueName('rec');
    await call('POST', '/api/v1/users', undefined, { username, secret: 'room secret 1' });
    return (await call('POST', '/api/v1/login', undefined, { username, secret: 'room secret 1' })).body.data as {
      token: string;
      user: { id: number; username: string };
    };
  };
  const postInRoom = async (token: string, room: string, text: string) => {
    const author = await t.app.core.sessions.authenticate(token);
    const opened = await t.app.core.rooms.openRoom(room, author.user);
    return t.app.core.rooms.post(author.user, opened, text);
  };

  it('GET /users/<id>: signed-in callers only, with roles; BAD_ID and USER_NOT_FOUND are 404', async () => {
    const me = await login();
    const other = await login();
    assert.deepEqual(await call('GET', `/api/v1/users/${other.user.id}`), {
      status: 403,
      body: { error: { type: 'NOT_AUTHORIZED', message: 'Sign in to do that.' }, data: null },
    });
    assert.equal((await call('GET', `/api/v1/users/${other.user.id}`, 'not.a.token')).body.error.type, 'INVALID_AUTH_TOKEN');
    const found = await call('GET', `/api/v1/users/${other.user.id}`, me.token);
    assert.equal(found.status, 200);
    assert.deepEqual(found.body.data, {
      id: other.user.id,
      username: other.user.username,
      roles: [
        { name: 'normalUser', override: 'NONE', permissions: [] },
        { name: 'anonUser', override: 'NONE', permissions: [] },
      ],
    });
    for (const [id, type] of [
      ['abc', 'BAD_ID'],
      ['0', 'BAD_ID'],
      ['99999999', 'USER_NOT_FOUND'],
    ]) {
      const res = await call('GET', `/api/v1/users/${id}`, me.token);
      assert.deepEqual([res.status, res.body.error.type], [404, type], id);
    }
  });

  it('GET /messages/<id>: anyone may read a room message; other chats’ messages are not found', async () => {
    const me = await login();
    const sent = await postInRoom(me.token, uniqueName('recroom'), 'hello room');
    const res = await call('GET', `/api/v1/messages/${sent.id}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      error: null,
      data: { id: sent.id, sender: { id: me.user.id, username: me.user.username }, text: 'hello room', createTime: sent.createTime },
    });

    // A message of a private chat is never reachable here.
    const a = await registerNative(t.app);
    const b = await registerNative(t.app);
    const chat = await t.app.inject({ method: 'POST', url: '/chats', headers: { authorization: `Bearer ${a.token}` }, payload: { participants: [b.id] } });
    const native = await t.app.inject({
      method: 'POST',
      url: `/chats/${chat.json().id}/messages`,
      headers: { authorization: `Bearer ${a.token}` },
      payload: { localId: crypto.randomUUID(), text: 'private' },
    });
    assert.ok(native.statusCode < 300, native.body);
    const privateId = native.json().id;
    assert.deepEqual((await call('GET', `/api/v1/messages/${privateId}`)).status, 404);
    assert.equal((await call('GET', `/api/v1/messages/${privateId}`)).body.error.type, 'RESOURCE_NOT_FOUND');
    assert.equal((await call('GET', '/api/v1/messages/999999999')).body.error.type, 'RESOURCE_NOT_FOUND');
    assert.deepEqual(
      [(await call('GET', '/api/v1/messages/not%20an%20id')).status, (await call('GET', '/api/v1/messages/not%20an%20id')).body.error.type],
      [400, 'BAD_ID'],
    );
  });

  it('PUT /messages/<id>: the author (or an administrator) changes the text; others 403, bad bodies 400 BAD_CONTENT', async () => {
    const author = await login();
    const stranger = await login();
    const sent = await postInRoom(author.token, uniqueName('recroom'), 'first words');
    const url = `/api/v1/messages/${sent.id}`;
    assert.equal((await call('PUT', url, undefined, { text: 'x' })).body.error.type, 'NOT_AUTHORIZED');
    assert.equal((await call('PUT', url, 'bad', { text: 'x' })).body.error.type, 'INVALID_AUTH_TOKEN');
    const refused = await call('PUT', url, stranger.token, { text: 'hijacked' });
    assert.deepEqual([refused.status, refused.body.error.type], [403, 'NOT_AUTHORIZED']);
    for (const payload of [{}, { text: 5 }, { text: '   ' }, { text: 'x'.repeat(5000) }]) {
      const res = await call('PUT', url, author.token, payload);
      assert.deepEqual([res.status, res.body.error.type], [400, 'BAD_CONTENT'], JSON.stringify(payload).slice(0, 40));
    }
    const changed = await call('PUT', url, author.token, { text: 'better words' });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.body.data, { ...sent, text: 'better words' });
    assert.equal((await call('GET', url)).body.data.text, 'better words');
    // Nothing else was lost: the room's history holds the one message, changed.
    const history = await t.app.core.rooms.history(
      { id: (await t.app.core.rooms.findRoomById((await t.app.core.ports.store.messages.findById(sent.id))!.chatId)).id },
      50,
      undefined,
    );
    assert.deepEqual(
      history.map((m) => m.text),
      ['better words'],
    );

    // An administrator may edit any room message (the original's ALLOW_ALL role).
    const admin = await t.app.core.ports.store.users.findByUsername(stranger.user.username);
    await t.app.core.ports.store.users.update(admin!.id, { role: 'admin' });
    const asAdmin = (await call('POST', '/api/v1/login', undefined, { username: stranger.user.username, secret: 'room secret 1' })).body.data.token;
    assert.equal((await call('PUT', url, asAdmin, { text: 'moderated' })).status, 200);
  });
});
