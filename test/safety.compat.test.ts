/**
 * Issue 21's rules in the compatibility families: the V-app cannot open a conversation with a
 * user who blocked the caller, upstream ChatServer's `/api` routes refuse the same bypasses as
 * the root, and room posts count against the same send limit (the room socket stays open).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bearer, client, problemOf, register, startApp, type TestApp } from './helpers.js';
import { eventually } from './push-stand-ins/tls.js';
import { PASSWORD, vappSignup } from './vapp-helpers.js';
import { connect, listen } from './ws-helpers.js';

describe('blocks and send limits in the compatibility families', () => {
  let t: TestApp;
  let url: string;
  const limited: string[] = [];
  before(async () => {
    t = await startApp({ RATE_LIMITS: 'send_user=2/1m' });
    url = await listen(t);
    const metrics = t.app.core.metrics;
    const original = metrics.rateLimited.bind(metrics);
    metrics.rateLimited = (bucket) => {
      limited.push(bucket);
      original(bucket);
    };
  });
  after(() => t.destroy());

  const nativeLogin = async (name: string) => {
    const res = await t.app.inject({ method: 'POST', url: '/users/login', payload: { username: name, password: PASSWORD } });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { id: number; token: string };
  };

  it('refuses a V-app conversation with a user who blocked the caller (403); a third user still opens one', async () => {
    const [a, b, c] = [await vappSignup(t.app), await vappSignup(t.app), await vappSignup(t.app)];
    const [na, nb] = [await nativeLogin(a.name), await nativeLogin(b.name)];
    assert.equal((await client(t.app, nb.token)('PUT', `/users/me/blocks/${na.id}`)).statusCode, 200);
    const post = (token: string, users: string[]) => t.app.inject({ method: 'POST', url: '/vapp/conversations', headers: bearer(token), payload: { users } });
    assert.equal((await post(a.token, [b.id])).statusCode, 403);
    assert.equal((await post(a.token, [b.id, c.id])).statusCode, 403, 'nor a group conversation with them');
    assert.equal((await post(c.token, [b.id])).statusCode, 200);
  });

  it('refuses the same under /api (upstream ChatServer’s paths)', async () => {
    const [a, b] = [await register(t.app), await register(t.app)];
    const api = (who: typeof a) => (method: 'POST' | 'PUT', path: string, payload?: unknown) => client(t.app, who.token)(method, `/api${path}`, payload);
    assert.equal((await api(b)('PUT', `/users/me/blocks/${a.id}`)).statusCode, 200);
    problemOf(await api(a)('POST', '/chats', { participants: [b.id] }), 403);
    problemOf(await api(a)('POST', '/chats', { participants: [b.id], isPersonal: false, title: 'via api' }), 403);
  });

  it('counts room posts against the send limit: past it a post is dropped and the socket stays open', async () => {
    const poster = await register(t.app);
    const room = `limits${randomUUID().slice(0, 8)}`;
    const socket = await connect(`${url}/api/v1/rooms/${room}/ws?token=${poster.token}`);
    for (let i = 0; i < 3; i++) socket.send({ text: `post ${i}` });
    await eventually(() => limited.includes('send_user'), 'the limit to refuse a post', 20_000);
    const history = (await t.app.inject(`/api/v1/messages?room=${room}`)).json().data;
    assert.equal(history.length, 2, 'two stored, the third dropped');
    assert.equal(socket.closed, undefined, 'the room socket is open');
    socket.close();
  });
});
