/**
 * Issue 18, the native family: upstream's own web app (maratal/ChatServer `Public/app/`, version
 * 0.9.15) and its JSON document. Each request re-creates what the client's source sends.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, bearer, client, problemOf, register, startApp, uniqueName, type Registered, type TestApp } from './helpers.js';
import { makePng } from './media-helpers.js';
import { connect, listen, refusedWith, type TestSocket } from './ws-helpers.js';

/** Public/app/js/login.js:53-59 `getDeviceInfo()`: the token is null until a push subscription exists. */
const webDeviceInfo = () => ({ id: crypto.randomUUID(), name: 'Chrome Browser', model: 'Linux PC', token: null, transport: 'web' });

describe('native compatibility: upstream web app (issue 18)', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.destroy());

  it('registers with a DeviceInfo whose token is null, and answers the PrivateInfo superset', async () => {
    const username = uniqueName('Web');
    const deviceInfo = webDeviceInfo();
    // Public/app/js/api.js:39-51 apiRegisterUser: POST JSON {name, username, password, deviceInfo}.
    const res = await t.app.inject({ method: 'POST', url: '/users', payload: { name: 'Web', username, password: 'password123', deviceInfo } });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    // Public/app/js/register.js:15-16 reads data.info and data.deviceSessions[0].
    assert.equal(body.info.id, body.id);
    assert.equal(body.info.username, username.toLowerCase());
    assert.deepEqual(body.info.photos, []);
    assert.equal(body.info.deviceSessions, undefined, 'the sessions are beside info, as in PrivateInfo');
    assert.equal(body.deviceSessions[0].accessToken, body.token, 'the opened session is the first');
    assert.deepEqual(body.deviceSessions[0].deviceInfo, { id: deviceInfo.id, name: 'Chrome Browser', model: 'Linux PC', transport: 'web' });
    assert.equal(body.token.length > 0, true, 'the flat seed answer is still there');
  });

  it('logs in with Basic and the bare DeviceInfo as the body', async () => {
    const user = await register(t.app);
    const deviceInfo = webDeviceInfo();
    // Public/app/js/api.js:55-65 apiLoginUser: Basic credentials, body JSON.stringify(deviceInfo).
    const res = await t.app.inject({
      method: 'POST',
      url: '/users/login',
      headers: { ...basic(user.username, user.password), 'content-type': 'application/json' },
      payload: JSON.stringify(deviceInfo),
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.info.id, user.id);
    assert.deepEqual(body.deviceSessions[0].deviceInfo, { id: deviceInfo.id, name: 'Chrome Browser', model: 'Linux PC', transport: 'web' });
    const me = await t.app.inject({ url: '/users/me', headers: bearer(body.deviceSessions[0].accessToken) });
    assert.equal(me.statusCode, 200);
  });

  it('still refuses a DeviceInfo field of the wrong type with a 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/users',
      payload: { name: 'W', username: uniqueName(), password: 'password123', deviceInfo: { token: 5 } },
    });
    assert.equal(res.statusCode, 400);
  });
});

describe('native compatibility: the /api prefix and /ws/<session id> (issue 18)', () => {
  let t: TestApp;
  let url: string;
  let a: Registered, b: Registered;
  const sockets: TestSocket[] = [];
  before(async () => {
    t = await startApp();
    url = await listen(t);
    [a, b] = [await register(t.app), await register(t.app)];
  });
  after(async () => {
    for (const s of sockets) s.ws.terminate();
    await t.destroy();
  });

  it('serves the native routes under /api as at the root', async () => {
    // Public/app/js/api.js:90 GET /api/users/me; :295 GET /api/chats/?full=1; :40 POST /api/users.
    const me = await t.app.inject({ url: '/api/users/me', headers: bearer(a.token) });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().id, a.id);
    const chats = await t.app.inject({ url: '/api/chats/?full=1', headers: bearer(a.token) });
    assert.equal(chats.statusCode, 200, chats.body);
    const reg = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      payload: { name: 'A', username: uniqueName(), password: 'password123', deviceInfo: webDeviceInfo() },
    });
    assert.equal(reg.statusCode, 200);
    const unauthenticated = await t.app.inject({ url: '/api/users/me' });
    assert.equal(unauthenticated.statusCode, 401, 'the same auth as at the root');
    const unknown = await t.app.inject({ url: '/api/no-such-route', headers: bearer(a.token) });
    assert.equal(unknown.statusCode, 404);
  });

  it('opens the socket at /ws/<DeviceSession.id>?token= and delivers live messages', async () => {
    // Public/app/js/ws.js:16 `${protocol}//${host}/ws/${deviceSessionId}?token=${encodeURIComponent(accessToken)}`.
    const sb = await connect(`${url}/ws/${b.sessionId}?token=${encodeURIComponent(b.token)}`);
    sockets.push(sb);
    const chat = await client(t.app, a.token)('POST', '/api/chats', { isPersonal: true, participants: [b.id] });
    assert.equal(chat.statusCode, 200, chat.body);
    await client(t.app, a.token)('POST', `/api/chats/${chat.json().id}/messages`, { localId: `${a.id}+${crypto.randomUUID()}`, text: 'live' });
    const [frame] = await sb.waitFor('message');
    assert.equal(frame!.payload.text, 'live');
    // Public/app/js/ws.js:119-120 reads chatDeleted's `payload.id`.
    assert.equal((await client(t.app, a.token)('DELETE', `/api/chats/${chat.json().id}`)).statusCode, 200);
    const [gone] = await sb.waitFor('chatDeleted');
    assert.equal(gone!.payload.id, chat.json().id);
    assert.equal(gone!.payload.chatId, chat.json().id);
    assert.equal(await refusedWith(`${url}/ws/${a.sessionId}?token=${encodeURIComponent(b.token)}`), 401, 'the path names another session');
    assert.equal(await refusedWith(`${url}/ws/${b.sessionId}`), 401);
  });
});

describe('native compatibility: avatar upload and the updated UserInfo (issue 18)', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.destroy());

  it('uploads under /api, serves /files/<name>, and answers the updated UserInfo from the "OK" routes', async () => {
    const user = await register(t.app);
    const png = await makePng(64, 64);
    const fileId = crypto.randomUUID();
    // Public/app/js/api.js:687-692 apiUploadFile: POST /api/uploads, File-Name: <uuid>, Content-Type: file.type.
    const up = await t.app.inject({
      method: 'POST',
      url: '/api/uploads',
      headers: { ...bearer(user.token), 'file-name': fileId, 'content-type': 'image/png' },
      payload: png,
    });
    assert.equal(up.statusCode, 200, up.body);
    // :668-671 resolves xhr.responseText as the file name; user-profile.js:612 splits off the extension.
    assert.equal(up.body, `${fileId}.png`);
    const root = await t.app.inject({ method: 'POST', url: '/uploads', headers: { ...bearer(user.token), 'content-type': 'image/png' }, payload: png });
    assert.deepEqual(Object.keys(root.json()).sort(), ['name', 'url'], "the root keeps the document's {name, url}");
    // The FILES document's and the app's links: /files/<name> is /uploads/<name>.
    for (const path of [`/files/${fileId}.png`, `/uploads/${fileId}.png`, `/api/files/${fileId}.png`]) {
      const file = await t.app.inject(path);
      assert.equal(file.statusCode, 200, path);
      assert.deepEqual(file.rawPayload, png);
    }
    assert.equal((await t.app.inject('/files/no-such-file.png')).statusCode, 404);
    // api.js:186-198 apiAddUserPhoto: {photo: {id, fileType, fileSize}}; user-profile.js:614-618 keeps the answer as currentUser.info.
    const photo = await client(t.app, user.token)('POST', '/api/users/me/photos', { photo: { id: fileId, fileType: 'png', fileSize: png.length } });
    assert.equal(photo.statusCode, 200, photo.body);
    assert.equal(photo.json().id, user.id);
    assert.equal(photo.json().photos[0].id, fileId);
    assert.match(photo.json().photos[0].url, new RegExp(`/uploads/${fileId}\\.png$`));
    // api.js:105-112 apiUpdateCurrentUser: PUT /api/users/me with the changed fields; the answer is the new UserInfo.
    const renamed = await client(t.app, user.token)('PUT', '/api/users/me', { name: 'Renamed', about: 'hi' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.equal(renamed.json().name, 'Renamed');
    assert.equal(renamed.json().about, 'hi');
    assert.equal(renamed.json().photos.length, 1);
    const device = await client(t.app, user.token)('PUT', '/api/users/me/device', { deviceName: 'Laptop' });
    assert.deepEqual((await client(t.app, user.token)('PUT', '/users/me', { about: 'root' })).json(), {}, "the root keeps the seed's OK");
    assert.equal(device.statusCode, 200);
    assert.equal(device.json().deviceSessions[0].deviceInfo.name, 'Laptop');
  });
});

describe('native compatibility: GET /users/all (issue 18)', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.destroy());

  it('lists users newest first, a page at a time below the cursor id', async () => {
    const users = [await register(t.app), await register(t.app), await register(t.app)];
    const as = client(t.app, users[0]!.token);
    // Public/app/js/api.js:151-156 apiGetAllUsers: /api/users/all?count=20, then &id=<last user id>.
    const first = await as('GET', '/api/users/all?count=2');
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(
      first.json().map((u: any) => u.id),
      [users[2]!.id, users[1]!.id],
    );
    assert.deepEqual(first.json()[0].photos, []);
    assert.equal(first.json()[0].email, undefined, 'public info only');
    const next = await as('GET', `/users/all?count=2&id=${users[1]!.id}`);
    assert.deepEqual(
      next.json().map((u: any) => u.id),
      [users[0]!.id],
    );
    assert.equal((await t.app.inject({ url: '/api/users/all' })).statusCode, 401);
    assert.equal((await as('GET', '/api/users/all?count=0')).statusCode, 400);
    assert.equal((await as('GET', '/api/users/all?id=abc')).statusCode, 400);
  });
});

describe('native compatibility: users inside chats show their photos (issue 18)', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.destroy());

  it('presents owner, allUsers, author, lastMessage.author, the send’s own answer and frame, addedUsers, blocked users and contacts with photos', async () => {
    const [a, b] = [await register(t.app), await register(t.app)];
    const png = await makePng(32, 32);
    const up = await t.app.inject({ method: 'POST', url: '/uploads', headers: { ...bearer(a.token), 'content-type': 'image/png' }, payload: png });
    const photoId = String(up.json().name).split('.')[0];
    assert.equal((await client(t.app, a.token)('POST', '/users/me/photos', { photo: { id: photoId } })).statusCode, 200);
    const chat = (await client(t.app, a.token)('POST', '/chats', { participants: [b.id] })).json();
    assert.equal(chat.owner.photos[0].id, photoId);
    const sb = await connect(`${await listen(t)}/ws?token=${b.token}`);
    const msg = await client(t.app, a.token)('POST', `/chats/${chat.id}/messages`, { localId: crypto.randomUUID(), text: 'hi' });
    assert.equal(msg.statusCode, 200);
    // The send's own answer and its live frame carry the sender with photos too.
    assert.equal(msg.json().author.photos[0].id, photoId);
    assert.match(msg.json().author.photos[0].url, new RegExp(`/uploads/${photoId}\\.png$`));
    const [frame] = await sb.waitFor('message');
    sb.ws.terminate();
    assert.equal(frame!.payload.author.photos[0].id, photoId);
    const read = (await client(t.app, b.token)('PUT', `/chats/${chat.id}/messages/${msg.json().id}/read`)).json();
    assert.equal(read.author.photos[0].id, photoId);
    assert.equal(read.readMarks[0].user.id, b.id);
    const full = (await client(t.app, b.token)('GET', `/chats/${chat.id}`)).json();
    assert.equal(full.allUsers.find((u: any) => u.id === a.id).photos[0].id, photoId);
    assert.equal(full.lastMessage.author.photos[0].id, photoId);
    const history = (await client(t.app, b.token)('GET', `/chats/${chat.id}/messages`)).json();
    assert.equal(history[0].author.photos[0].id, photoId);
    // A group of B's with A added, then blocked; and A as B's contact.
    const c = await register(t.app);
    const group = (await client(t.app, b.token)('POST', '/chats', { title: 'g', participants: [c.id], isPersonal: false })).json();
    const added = (await client(t.app, b.token)('POST', `/chats/${group.id}/users`, { users: [a.id] })).json();
    assert.equal(added.addedUsers[0].photos[0].id, photoId);
    assert.equal((await client(t.app, b.token)('PUT', `/chats/${group.id}/users/${a.id}/block`)).statusCode, 200);
    const blocked = (await client(t.app, b.token)('GET', `/chats/${group.id}/users/blocked`)).json();
    assert.equal(blocked[0].photos[0].id, photoId);
    const contact = (await client(t.app, b.token)('POST', '/users/me/contacts', { user: { id: a.id } })).json();
    assert.equal(contact.user.photos[0].id, photoId);
    const contacts = (await client(t.app, b.token)('GET', '/users/me/contacts')).json();
    assert.equal(contacts[0].user.photos[0].id, photoId);
  });
});

/**
 * maratal/ChatServer at the commit that added `Docs/APIREF-Users.md` (4345132),
 * Tests/AppTests/ChatTests.swift: a member the owner blocked gets 403 renaming the chat (test_14,
 * :230-240), adding users (test_20, :338-349), reading the history (test_24, :412-421) and editing
 * an earlier message (test_32, :602-616); deleting their own message stays allowed (test_35,
 * :667-681). Upstream's tests block the owner in its own chat, which Parley's routes cannot reach
 * (the owner blocks others; test_22's removal is the owner's alone), so here the owner blocks a member.
 */
describe('native compatibility: a member blocked in a group (issue 18)', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.destroy());

  it('is refused renaming, adding users, the history and editing with 403, and may still delete and leave', async () => {
    const [owner, blocked, other, outsider] = [await register(t.app), await register(t.app), await register(t.app), await register(t.app)];
    const [O, B] = [client(t.app, owner.token), client(t.app, blocked.token)];
    const chat = (await O('POST', '/chats', { title: 'group', participants: [blocked.id, other.id], isPersonal: false })).json();
    const earlier = (await B('POST', `/chats/${chat.id}/messages`, { localId: `${blocked.id}+${crypto.randomUUID()}`, text: 'before the block' })).json();
    const second = (await B('POST', `/chats/${chat.id}/messages`, { localId: `${blocked.id}+${crypto.randomUUID()}`, text: 'another' })).json();
    // Before the block, each of these is allowed (so the 403s below are the block's).
    assert.equal((await B('GET', `/chats/${chat.id}/messages?count=5`)).statusCode, 200);
    assert.equal((await B('PUT', `/chats/${chat.id}/messages/${earlier.id}`, { text: 'edited once' })).statusCode, 200);
    assert.equal((await O('PUT', `/chats/${chat.id}/users/${blocked.id}/block`)).statusCode, 200);

    const refused: Array<['GET' | 'POST' | 'PUT' | 'DELETE', string, unknown?]> = [
      ['PUT', `/chats/${chat.id}`, { title: 'Some' }],
      ['POST', `/chats/${chat.id}/users`, { users: [outsider.id] }],
      ['GET', `/chats/${chat.id}/messages?count=5`],
      ['PUT', `/chats/${chat.id}/messages/${earlier.id}`, { text: 'Hi' }],
      ['POST', `/chats/${chat.id}/messages`, { localId: `${blocked.id}+${crypto.randomUUID()}`, text: 'blocked' }],
    ];
    for (const [method, url, body] of refused) {
      const res = await B(method, url, body);
      assert.equal(problemOf(res, 403).status, 403, `${method} ${url}`);
    }
    // Nothing changed.
    const seen = (await O('GET', `/chats/${chat.id}`)).json();
    assert.equal(seen.title, 'group');
    assert.equal(seen.allUsers.length, 3);
    assert.equal((await O('GET', `/chats/${chat.id}/messages`)).json().find((m: any) => m.id === earlier.id).text, 'edited once');
    // test_35: deleting one's own message is allowed even when blocked.
    const deleted = await B('DELETE', `/chats/${chat.id}/messages/${second.id}`);
    assert.equal(deleted.statusCode, 200, deleted.body);
    assert.ok(deleted.json().deletedAt);
    // Unblocked, the member may again.
    assert.equal((await O('PUT', `/chats/${chat.id}/users/${blocked.id}/unblock`)).statusCode, 200);
    assert.equal((await B('GET', `/chats/${chat.id}/messages`)).statusCode, 200);
    assert.equal((await B('PUT', `/chats/${chat.id}`, { title: 'Renamed' })).statusCode, 200);
    assert.equal((await O('PUT', `/chats/${chat.id}/users/${blocked.id}/block`)).statusCode, 200);
    assert.equal((await B('DELETE', `/chats/${chat.id}/me`)).statusCode, 200, 'leaving stays allowed');
  });
});
