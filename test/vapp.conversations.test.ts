import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { bearer, register, startApp, type TestApp } from './helpers.js';
import { PASSWORD, rsaKeys, startVonageMock, vappSignup } from './vapp-helpers.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('V-app conversations and the JSON POST /image (the original backend-node routes)', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.destroy());

  const as = (token: string) => ({
    get: (url: string) => t.app.inject({ method: 'GET', url, headers: bearer(token) }),
    post: (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as object }),
  });

  it('needs a token (400 auth:missingtoken) and users (400 data:validation, the original’s body)', async () => {
    for (const res of [
      await t.app.inject('/vapp/conversations'),
      await t.app.inject(`/vapp/conversations/CON-${randomUUID()}`),
      await t.app.inject({ method: 'POST', url: '/vapp/conversations', payload: { users: [] } }),
    ]) {
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().type, 'auth:missingtoken');
    }
    const a = await vappSignup(t.app);
    for (const payload of [{}, { users: [] }]) {
      const res = await as(a.token).post('/vapp/conversations', payload);
      assert.equal(res.statusCode, 400, res.body);
      assert.deepEqual(res.json(), { type: 'data:validation', title: 'Bad Request', detail: 'The request must include users' });
    }
    const wrongType = await as(a.token).post('/vapp/conversations', { users: 'USR-x' });
    assert.equal(wrongType.statusCode, 403);
    const unknown = await as(a.token).post('/vapp/conversations', { users: [`USR-${randomUUID()}`, 'nobody'] });
    assert.equal(unknown.statusCode, 400, unknown.body);
    assert.equal(unknown.json().invalid_parameters[0].name, 'users');
    const self = await as(a.token).post('/vapp/conversations', { users: [a.id] });
    assert.equal(self.statusCode, 400);
  });

  it('creates a conversation over a personal chat, lists it for both, and shows messages as events', async () => {
    const a = await vappSignup(t.app, { display_name: 'Alice Aa' });
    const b = await vappSignup(t.app, { display_name: 'Bob Bb' });
    const created = await as(a.token).post('/vapp/conversations', { users: [b.id] });
    assert.equal(created.statusCode, 200, created.body);
    const conv = created.json();
    assert.match(conv.id, /^CON-[0-9a-f-]{36}$/);
    assert.equal(conv.name, 'Bob Bb');
    assert.equal(conv.state, 'ACTIVE');
    assert.match(conv.created_at, ISO);
    assert.match(conv.joined_at, ISO);
    assert.deepEqual(conv.users, [{ id: b.id, name: b.name, display_name: 'Bob Bb', image_url: conv.users[0].image_url, state: 'JOINED' }]);
    assert.deepEqual(conv.events, []);

    // The same pair again is the same chat (Parley keeps one personal chat per pair).
    assert.equal((await as(b.token).post('/vapp/conversations', { users: [a.id] })).json().id, conv.id);

    // A message sent natively (the same accounts) shows up as a message.text event.
    const chatId = conv.id.slice(4);
    const alice = await t.app.core.ports.store.users.findByUsername(a.name);
    const sent = await t.app.core.messages.sendMessage(
      { id: alice!.id, uid: alice!.uid, username: alice!.username, displayName: alice!.displayName, about: null, lastSeenAt: null },
      chatId,
      { text: 'hello bob', localId: randomUUID() },
    );
    const seen = await as(b.token).get(`/vapp/conversations/${conv.id}`);
    assert.equal(seen.statusCode, 200, seen.body);
    assert.equal(seen.json().name, 'Alice Aa');
    assert.deepEqual(seen.json().events, [
      { id: sent.message.seq, from: a.id, type: 'message.text', content: 'hello bob', timestamp: new Date(sent.message.createdAt).toISOString() },
    ]);

    const listA = (await as(a.token).get('/vapp/conversations')).json();
    assert.deepEqual(
      listA.map((c: any) => [c.id, c.name, c.users.map((u: any) => u.id)]),
      [[conv.id, 'Bob Bb', [b.id]]],
    );
    assert.equal(listA[0].events, undefined);

    // Log-in answers the conversations too (the web client reads data.conversations).
    const login = await t.app.inject({ method: 'POST', url: '/vapp/login', payload: { name: a.name, password: PASSWORD } });
    assert.deepEqual(
      login.json().conversations.map((c: any) => c.id),
      [conv.id],
    );
    assert.deepEqual(a.body.conversations, []);
  });

  it('makes group conversations of several users, natively made accounts included', async () => {
    const a = await vappSignup(t.app);
    const b = await vappSignup(t.app, { display_name: 'Bee Bee' });
    const native = await register(t.app);
    const nativeId = `USR-${native.uid}`;
    const res = await as(a.token).post('/vapp/conversations', { users: [b.id, nativeId] });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(
      res
        .json()
        .users.map((u: any) => u.id)
        .sort(),
      [b.id, nativeId].sort(),
    );
    assert.equal(res.json().name.split(', ').length, 2);
    // The native account sees the chat natively too.
    const chats = await t.app.inject({ url: '/chats', headers: bearer(native.token) });
    assert.ok(chats.json().some((c: any) => `CON-${c.id}` === res.json().id));
  });

  it('answers 404 for a conversation the caller is not in, or no conversation at all', async () => {
    const a = await vappSignup(t.app);
    const b = await vappSignup(t.app);
    const c = await vappSignup(t.app);
    const conv = (await as(a.token).post('/vapp/conversations', { users: [b.id] })).json();
    for (const url of [`/vapp/conversations/${conv.id}`, `/vapp/conversations/CON-${randomUUID()}`, '/vapp/conversations/nonsense']) {
      const res = await as(c.token).get(url);
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().type, 'system:notfound');
    }
  });

  it('sets the caller’s image from a JSON image_url, and refuses what is not a URL', async () => {
    const a = await vappSignup(t.app);
    const b = await vappSignup(t.app);
    const url = 'https://media.example.test/v3/media/abc/medium';
    const res = await as(a.token).post('/vapp/image', { image_url: url });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { image_url: url });
    const users = (await as(b.token).get('/vapp/users')).json();
    assert.equal(users.find((u: any) => u.id === a.id).image_url, url);

    const missing = await as(a.token).post('/vapp/image', {});
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(missing.json(), { type: 'data:validation', title: 'Bad Request', detail: 'The request must include image_url' });
    for (const image_url of ['not a url', 'javascript:alert(1)', 42, `https://x.test/${'a'.repeat(3000)}`]) {
      const bad = await as(a.token).post('/vapp/image', { image_url });
      assert.equal(bad.statusCode, 400, String(image_url));
      assert.equal(bad.json().invalid_parameters[0].name, 'image_url');
    }
  });
});

describe('V-app conversations with Vonage configured (local Conversation API)', () => {
  const keys = rsaKeys();
  let mock: Awaited<ReturnType<typeof startVonageMock>>;
  let t: TestApp;
  before(async () => {
    mock = await startVonageMock();
    t = await startApp({
      VONAGE_APPLICATION_ID: randomUUID(),
      VONAGE_PRIVATE_KEY: keys.privatePem,
      VONAGE_API_URL: mock.url,
      VONAGE_TIMEOUT_MS: '300',
      VONAGE_RETRIES: '0',
    });
  });
  after(async () => {
    await t.destroy();
    await mock.close();
  });
  afterEach(() => {
    mock.state.mode = 'normal';
  });

  it('creates the conversation at Vonage with every member joined, and answers with its id', async () => {
    const a = await vappSignup(t.app);
    const b = await vappSignup(t.app);
    const native = await register(t.app); // not provisioned yet: it is, on the way
    const res = await t.app.inject({ method: 'POST', url: '/vapp/conversations', headers: bearer(a.token), payload: { users: [b.id, `USR-${native.uid}`] } });
    assert.equal(res.statusCode, 200, res.body);
    const conv = res.json();
    const atVonage = mock.conversations.get(conv.id);
    assert.ok(atVonage, `${conv.id} is not at Vonage`);
    const nativeVonageId = mock.users.get(native.username)!.id;
    assert.deepEqual([...atVonage.members].sort(), [a.id, b.id, nativeVonageId].sort());
    assert.deepEqual(conv.users.map((u: any) => u.id).sort(), [b.id, nativeVonageId].sort());
    // Both read it by the Vonage id (the web client opens it with the Client SDK by that id).
    const seen = await t.app.inject({ url: `/vapp/conversations/${conv.id}`, headers: bearer(b.token) });
    assert.equal(seen.statusCode, 200);
    assert.equal((await t.app.inject({ url: '/vapp/conversations', headers: bearer(b.token) })).json()[0].id, conv.id);
  });

  it('reuses a pair’s conversation, and a Vonage failure creates nothing (500 system:error)', async () => {
    const a = await vappSignup(t.app);
    const b = await vappSignup(t.app);
    const first = await t.app.inject({ method: 'POST', url: '/vapp/conversations', headers: bearer(a.token), payload: { users: [b.id] } });
    const count = mock.conversations.size;
    const again = await t.app.inject({ method: 'POST', url: '/vapp/conversations', headers: bearer(b.token), payload: { users: [a.id] } });
    assert.equal(again.json().id, first.json().id);
    assert.equal(mock.conversations.size, count);

    const c = await vappSignup(t.app);
    mock.state.mode = 'fail';
    const failed = await t.app.inject({ method: 'POST', url: '/vapp/conversations', headers: bearer(a.token), payload: { users: [c.id] } });
    assert.equal(failed.statusCode, 500);
    assert.equal(failed.json().type, 'system:error');
    mock.state.mode = 'normal';
    assert.deepEqual((await t.app.inject({ url: '/vapp/conversations', headers: bearer(c.token) })).json(), []);
  });

  it('sends a JSON image_url to Vonage before keeping it', async () => {
    const a = await vappSignup(t.app);
    const url = 'https://media.example.test/medium';
    const res = await t.app.inject({ method: 'POST', url: '/vapp/image', headers: bearer(a.token), payload: { image_url: url } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(mock.users.get(a.name)!.image_url, url);
  });
});
