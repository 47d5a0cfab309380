/**
 * Incoming webhooks (issue 22): admin-only management, a secret URL that posts into its chat
 * as a named integration (a bot member), unknown or removed URLs 404, bad bodies 400.
 * Runs on PostgreSQL too with PARLEY_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, problemOf, register, startApp, type Registered, type TestApp } from './helpers.js';

describe('incoming webhooks', () => {
  let t: TestApp;
  let root: Registered;
  let member: Registered;
  let as: ReturnType<typeof client>;
  let chatId: string;

  before(async () => {
    t = await startApp();
    root = await register(t.app);
    member = await register(t.app);
    await t.app.core.admin.setRole(root.username, 'admin');
    as = client(t.app, root.token);
    // The admin need not be in the chat.
    const other = await register(t.app);
    chatId = (await client(t.app, member.token)('POST', '/chats', { title: 'Alerts', participants: [other.id], isPersonal: false })).json().id;
  });
  after(() => t.destroy());

  const post = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url: new URL(url).pathname, payload: payload as object });

  it('refuses the admin routes without a token (401) and for a non-admin (403)', async () => {
    const user = client(t.app, member.token);
    const routes: Array<['GET' | 'POST' | 'DELETE', string, object?]> = [
      ['POST', `/admin/chats/${chatId}/hooks`, { name: 'CI' }],
      ['GET', `/admin/chats/${chatId}/hooks`],
      ['DELETE', `/admin/chats/${chatId}/hooks/x`],
    ];
    for (const [method, url, payload] of routes) {
      problemOf(await t.app.inject({ method, url, ...(payload ? { payload } : {}) }), 401);
      problemOf(await user(method, url, payload), 403);
    }
  });

  it('posts {text} into the chat as the named integration through its secret URL', async () => {
    const made = await as('POST', `/admin/chats/${chatId}/hooks`, { name: 'CI Alerts' });
    assert.equal(made.statusCode, 200, made.body);
    const hook = made.json();
    assert.match(hook.url, /^http:\/\/parley\.test\/hooks\/[A-Za-z0-9_-]{43}$/);
    assert.equal((await as('GET', `/admin/chats/${chatId}/hooks`)).json()[0].url, undefined, 'the URL is shown once');
    const sent = await post(hook.url, { text: 'build 42 passed' });
    assert.equal(sent.statusCode, 200, sent.body);
    const history = (await client(t.app, member.token)('GET', `/chats/${chatId}/messages`)).json();
    const last = history.find((m: any) => m.id === sent.json().id);
    assert.equal(last.text, 'build 42 passed');
    assert.equal(last.author.name, 'CI Alerts');
    assert.equal(last.author.isBot, true);
    problemOf(await post(hook.url, { text: '' }), 400);
    problemOf(await post(hook.url, {}), 400);
    problemOf(await post(`${hook.url.slice(0, -3)}abc`, { text: 'guess' }), 404);
    assert.equal((await as('DELETE', `/admin/chats/${chatId}/hooks/${hook.id}`)).statusCode, 200);
    problemOf(await post(hook.url, { text: 'after removal' }), 404);
    problemOf(await as('POST', '/admin/chats/no-such-chat/hooks', { name: 'x' }), 404);
  });
});
