/**
 * Message retention: `MESSAGE_RETENTION_DAYS` and a chat's own `retentionDays` (owner or admins only, not
 * above the server's; 401/400/403/404 first); the sweep deletes only messages older than what
 * applies, with their uploads' files and their events, and leaves newer ones. Time is moved
 * with the injectable clock. Runs on PostgreSQL too with PARLEY_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { basic, client, invalidNames, problemOf, register, startApp, type Registered, type TestApp } from './helpers.js';
import { makePng, storedFiles, upload } from './media-helpers.js';
import { postgresService } from './services.js';

await postgresService();

const DAY = 24 * 3600 * 1000;

/** A fresh token after the clock moved past the old one's lifetime. */
async function relogin(t: TestApp, user: Registered): Promise<ReturnType<typeof client>> {
  const res = await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(user.username, user.password) });
  assert.equal(res.statusCode, 200, res.body);
  return client(t.app, res.json().token);
}

describe('message retention', () => {
  let t: TestApp;
  let now = Date.UTC(2030, 0, 1);
  let owner: Registered;
  let member: Registered;
  let stranger: Registered;
  let O: ReturnType<typeof client>;
  const group = async () => (await O('POST', '/chats', { title: 'Kept', participants: [member.id], isPersonal: false })).json().id as string;
  const send = async (chatId: string, text: string, attachment?: object) => {
    const res = await O('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text, ...(attachment ? { attachment } : {}) });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().id as string;
  };
  const texts = async (chatId: string) =>
    (await O('GET', `/chats/${chatId}/messages?count=100`))
      .json()
      .map((m: { text: string }) => m.text)
      .reverse();

  before(async () => {
    t = await startApp({ MESSAGE_RETENTION_DAYS: '30' }, { clock: { now: () => now } });
    [owner, member, stranger] = [await register(t.app), await register(t.app), await register(t.app)];
    O = client(t.app, owner.token);
  });
  after(() => t.destroy());

  it('lets only the owner or an admin set it, never above the server’s (401, 400, 403, 404 first)', async () => {
    const chatId = await group();
    problemOf(await t.app.inject({ method: 'PUT', url: `/chats/${chatId}/retention`, payload: { retentionDays: 5 } }), 401);
    assert.deepEqual(invalidNames(await O('PUT', `/chats/${chatId}/retention`, { retentionDays: 31 })), ['retentionDays']);
    problemOf(await O('PUT', `/chats/${chatId}/retention`, { retentionDays: 0 }), 400);
    problemOf(await O('PUT', `/chats/${chatId}/retention`, { retentionDays: 'x' }), 400);
    problemOf(await O('PUT', '/chats/not-a-uuid/retention', { retentionDays: 5 }), 400);
    problemOf(await client(t.app, member.token)('PUT', `/chats/${chatId}/retention`, { retentionDays: 5 }), 403);
    problemOf(await client(t.app, stranger.token)('PUT', `/chats/${chatId}/retention`, { retentionDays: 5 }), 404);
    problemOf(await client(t.app, stranger.token)('GET', `/chats/${chatId}/retention`), 404);
    assert.deepEqual((await client(t.app, member.token)('GET', `/chats/${chatId}/retention`)).json(), { retentionDays: null, effectiveDays: 30 });
    assert.deepEqual((await O('PUT', `/chats/${chatId}/retention`, { retentionDays: 10 })).json(), { retentionDays: 10, effectiveDays: 10 });
    assert.deepEqual((await O('GET', `/chats/${chatId}/retention`)).json(), { retentionDays: 10, effectiveDays: 10 });
    assert.deepEqual((await O('PUT', `/chats/${chatId}/retention`, { retentionDays: null })).json(), { retentionDays: null, effectiveDays: 30 });
    // Made an admin, the member may set it too.
    assert.equal((await O('PUT', `/chats/${chatId}/users/${member.id}/role`, { role: 'admin' })).statusCode, 200);
    assert.deepEqual((await client(t.app, member.token)('PUT', `/chats/${chatId}/retention`, { retentionDays: 7 })).json(), {
      retentionDays: 7,
      effectiveDays: 7,
    });
  });

  it('deletes only what is older than the chat’s or the server’s retention, with files and events', async () => {
    const short = await group();
    const long = await group();
    await O('PUT', `/chats/${short}/retention`, { retentionDays: 10 });
    const png = await upload(t.app, await makePng(20, 20), { token: owner.token, contentType: 'image/png' });
    const mediaId = png.json().name.split('.')[0] as string;
    const oldShort = await send(short, 'old short', { id: mediaId, fileType: 'png', fileSize: 1 });
    await send(long, 'old long');
    now += 20 * DAY;
    O = await relogin(t, owner);
    await send(short, 'new short');
    await send(long, 'new long');
    assert.ok((await storedFiles(t)).some((key) => key.startsWith(mediaId)));
    const eventsOf = async () =>
      (await t.app.core.ports.store.events.listSince(member.id, 0, 10_000, await t.app.core.ports.store.events.latestId())).map((e) => e.payload).join('\n');
    assert.ok((await eventsOf()).includes(oldShort));

    // Day 20: only the short chat's old message is past its 10 days.
    assert.equal(await t.app.core.retention.sweep(), 1);
    assert.deepEqual(await texts(short), ['new short']);
    assert.deepEqual(await texts(long), ['old long', 'new long']);
    assert.ok(!(await storedFiles(t)).some((key) => key.startsWith(mediaId)), 'the attachment’s files are gone');
    assert.equal(await t.app.core.ports.store.media.findById(mediaId), undefined);
    assert.ok(!(await eventsOf()).includes(oldShort), 'its events are gone');

    // Day 35: the server's 30 days take the long chat's old one; the short chat's 15-day-old one goes too.
    now += 15 * DAY;
    O = await relogin(t, owner);
    await t.app.core.retention.sweep();
    assert.deepEqual(await texts(short), []);
    assert.deepEqual(await texts(long), ['new long']);
    assert.equal(await t.app.core.retention.sweep(), 0);
    // The chat itself stays, and new messages arrive as before.
    await send(long, 'after');
    assert.deepEqual(await texts(long), ['new long', 'after']);
  });
});

describe('message retention off (the default)', () => {
  it('keeps every message and any chat retention applies alone', async () => {
    let now = Date.UTC(2030, 0, 1);
    const t = await startApp({}, { clock: { now: () => now } });
    try {
      const owner = await register(t.app);
      const other = await register(t.app);
      let O = client(t.app, owner.token);
      const chatId = (await O('POST', '/chats', { title: 'Forever', participants: [other.id], isPersonal: false })).json().id;
      assert.deepEqual((await O('GET', `/chats/${chatId}/retention`)).json(), { retentionDays: null, effectiveDays: null });
      await O('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: 'ancient' });
      now += 3650 * DAY;
      O = await relogin(t, owner);
      assert.equal(await t.app.core.retention.sweep(), 0);
      assert.equal((await O('PUT', `/chats/${chatId}/retention`, { retentionDays: 36_500 })).statusCode, 200);
      assert.equal(await t.app.core.retention.sweep(), 0);
      assert.equal((await O('PUT', `/chats/${chatId}/retention`, { retentionDays: 365 })).statusCode, 200);
      assert.equal(await t.app.core.retention.sweep(), 1);
    } finally {
      await t.destroy();
    }
  });
});
