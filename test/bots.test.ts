/**
 * Bots and API keys (issue 22): admin-only routes, keys shown once and working as
 * `Authorization: Bearer` on the native API and socket within their scopes (403 outside),
 * revoked keys 401 with their sockets closed, `isBot: true` in UserInfo.
 * Runs on PostgreSQL too with PARLEY_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bearer, client, problemOf, register, startApp, uniqueName, type Registered, type TestApp, registerAdmin } from './helpers.js';
import { connect, listen, refusedWith } from './ws-helpers.js';

describe('bots and API keys', () => {
  let t: TestApp;
  let root: Registered;
  let as: ReturnType<typeof client>;

  before(async () => {
    t = await startApp();
    ({ root, as } = await registerAdmin(t.app));
  });
  after(() => t.destroy());

  const newBot = async () => {
    const res = await as('POST', '/admin/bots', { username: uniqueName('bot'), name: 'Helper Bot' });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const newKey = async (botId: number, scopes: string[]) => {
    const res = await as('POST', `/admin/bots/${botId}/keys`, { scopes });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

  it('refuses the bot routes without a token (401) and for a non-admin (403)', async () => {
    const user = client(t.app, (await register(t.app)).token);
    const routes: Array<['GET' | 'POST' | 'DELETE', string, object?]> = [
      ['POST', '/admin/bots', { username: 'somebot', name: 'B' }],
      ['POST', '/admin/bots/1/keys', { scopes: ['chats:read'] }],
      ['GET', '/admin/bots/1/keys'],
      ['DELETE', '/admin/bots/1/keys/x'],
    ];
    for (const [method, url, payload] of routes) {
      problemOf(await t.app.inject({ method, url, ...(payload ? { payload } : {}) }), 401);
      problemOf(await user(method, url, payload), 403);
    }
  });

  it('creates a bot that shows isBot in UserInfo and cannot log in with a password; unknown scopes are 400', async () => {
    const bot = await newBot();
    assert.equal(bot.isBot, true);
    const info = (await as('GET', `/users/${bot.id}`)).json();
    assert.equal(info.isBot, true);
    assert.equal((await as('GET', `/users/${root.id}`)).json().isBot, undefined, 'people carry no isBot');
    problemOf(await as('POST', `/admin/bots/${bot.id}/keys`, { scopes: ['chats:read', 'everything'] }), 400);
    problemOf(await as('POST', `/admin/bots/${root.id}/keys`, { scopes: ['chats:read'] }), 404);
  });

  it('acts with a key within its scopes: 403 outside them', async () => {
    const bot = await newBot();
    const issued = await newKey(bot.id, ['chats:read', 'messages:write']);
    assert.match(issued.key, /^pk_[A-Za-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    const listed = (await as('GET', `/admin/bots/${bot.id}/keys`)).json();
    assert.deepEqual(
      listed.map((k: any) => [k.id, k.key]),
      [[issued.id, undefined]],
      'the key is shown once',
    );
    const chatId = (await as('POST', '/chats', { title: 'With a bot', participants: [bot.id], isPersonal: false })).json().id;
    const asBot = client(t.app, issued.key);
    assert.equal((await asBot('GET', '/chats')).statusCode, 200);
    assert.equal((await asBot('GET', `/chats/${chatId}`)).statusCode, 200);
    const sent = await asBot('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: 'beep' });
    assert.equal(sent.statusCode, 200, sent.body);
    assert.equal(sent.json().author.isBot, true, 'the author is shown as a bot');
    assert.match(problemOf(await asBot('GET', `/chats/${chatId}/messages`), 403).detail, /messages:read/);
    problemOf(await asBot('POST', '/chats', { title: 'no', participants: [root.id], isPersonal: false }), 403);
    problemOf(await asBot('GET', '/users/me'), 403);
    problemOf(await asBot('PUT', '/users/me', { name: 'renamed' }), 403);
    problemOf(await asBot('GET', '/admin/bots/1/keys'), 403);
    problemOf(await t.app.inject({ url: '/chats', headers: bearer(`${issued.key.slice(0, -2)}xx`) }), 401);
  });

  it('opens a socket with a key that holds events:read, and runs only the actions its scopes allow', async () => {
    const bot = await newBot();
    const chatId = (await as('POST', '/chats', { title: 'Socket bot', participants: [bot.id], isPersonal: false })).json().id;
    const ws = await listen(t);
    const readOnly = await newKey(bot.id, ['chats:read']);
    assert.equal(await refusedWith(`${ws}/ws?token=${readOnly.key}`), 403);
    const live = await newKey(bot.id, ['events:read', 'chats:read']);
    const socket = await connect(`${ws}/ws?token=${live.key}`);
    socket.send({ action: 'send', chatId, localId: randomUUID(), text: 'no scope', requestId: 'r1' });
    const ack = await socket.until(() => socket.frames.find((f: any) => f.payload?.requestId === 'r1'));
    assert.match(JSON.stringify(ack), /forbidden/);
    // Revoking the key ends its socket at once and its next request is 401.
    assert.equal((await as('DELETE', `/admin/bots/${bot.id}/keys/${live.id}`)).statusCode, 200);
    assert.ok((await socket.waitClosed()).code >= 4000);
    problemOf(await t.app.inject({ url: '/chats', headers: bearer(live.key) }), 401);
    problemOf(await as('DELETE', `/admin/bots/${bot.id}/keys/${live.id}`), 404);
    assert.equal((await client(t.app, readOnly.key)('GET', '/chats')).statusCode, 200, 'other keys of the bot keep working');
  });
});
