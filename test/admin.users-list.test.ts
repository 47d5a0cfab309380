/**
 * `GET /admin/users` (search, cursor paging, last seen, session counts, disabled) and
 * `DELETE /admin/users/{user}` (the cascade of self-deletion), and the CLI's `users list` and
 * `users delete`. 401/403/400 first. Runs on PostgreSQL too with PARLEY_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { assertFailed, useCliApp } from './cli-helpers.js';
import { basic, bearer, client, problemOf, register, startApp, uniqueName, type Registered, type TestApp, registerAdmin } from './helpers.js';
import { makePng, storedFiles, upload } from './media-helpers.js';
import { postgresService } from './services.js';

await postgresService();

describe('admin users list and delete', () => {
  let t: TestApp;
  let root: Registered;
  let as: ReturnType<typeof client>;

  before(async () => {
    t = await startApp();
    ({ root, as } = await registerAdmin(t.app));
  });
  after(() => t.destroy());

  it('answers 401 without a token, 403 to a non-admin, 400 for bad queries, 404 and 409 for deletes', async () => {
    const plain = await register(t.app);
    for (const route of [
      { method: 'GET' as const, url: '/admin/users' },
      { method: 'DELETE' as const, url: `/admin/users/${plain.id}` },
    ]) {
      problemOf(await t.app.inject(route), 401);
      problemOf(await t.app.inject({ ...route, headers: bearer(plain.token) }), 403);
    }
    problemOf(await as('GET', '/admin/users?limit=0'), 400);
    problemOf(await as('GET', '/admin/users?limit=201'), 400);
    problemOf(await as('GET', '/admin/users?cursor=x'), 400);
    problemOf(await as('GET', `/admin/users?q=${'x'.repeat(101)}`), 400);
    problemOf(await as('DELETE', '/admin/users/nobody-at-all'), 404);
    problemOf(await as('DELETE', `/admin/users/${root.id}`), 409);
    assert.equal((await t.app.inject({ url: '/users/me', headers: bearer(plain.token) })).statusCode, 200);
  });

  it('lists newest first, matches q in name, username or email (any case), pages with a cursor', async () => {
    const tag = uniqueName('findme');
    const users: Registered[] = [];
    for (let i = 0; i < 3; i++) users.push(await register(t.app, { username: `${tag}u${i}`, name: `Name ${i}` }));
    const byName = await register(t.app, { name: `Someone ${tag.toUpperCase()}` });
    const other = await register(t.app);
    // A second session and a disabled account.
    await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(users[0]!.username, users[0]!.password) });
    await as('PUT', `/admin/users/${users[1]!.id}/disable`);

    const all = (await as('GET', `/admin/users?q=${tag}&limit=200`)).json();
    assert.deepEqual(
      all.users.map((u: { id: number }) => u.id),
      [byName.id, users[2]!.id, users[1]!.id, users[0]!.id],
    );
    assert.equal(all.nextCursor, null);
    assert.ok(!all.users.some((u: { id: number }) => u.id === other.id));
    const first = all.users.find((u: { id: number }) => u.id === users[0]!.id);
    assert.deepEqual([first.sessions, first.disabled, typeof first.lastSeen === 'string' || first.lastSeen === undefined], [2, false, true]);
    const disabled = all.users.find((u: { id: number }) => u.id === users[1]!.id);
    assert.deepEqual([disabled.sessions, disabled.disabled, typeof disabled.disabledAt], [0, true, 'string']);

    const seen: number[] = [];
    let cursor: number | null = null;
    do {
      const page: { users: Array<{ id: number }>; nextCursor: number | null } = (
        await as('GET', `/admin/users?q=${tag.toUpperCase()}&limit=3${cursor === null ? '' : `&cursor=${cursor}`}`)
      ).json();
      seen.push(...page.users.map((u) => u.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(
      seen,
      all.users.map((u: { id: number }) => u.id),
    );
    // The LIKE wildcards are literal.
    assert.deepEqual((await as('GET', '/admin/users?q=%25_%25')).json().users, []);
  });

  it('deletes as self-deletion does: sessions end, owned chats and uploads go, others keep theirs; audited', async () => {
    const doomed = await register(t.app);
    const friend = await register(t.app);
    const D = client(t.app, doomed.token);
    const chat = (await D('POST', '/chats', { title: 'Doomed group', participants: [friend.id] })).json();
    const png = await upload(t.app, await makePng(40, 30), { token: doomed.token, contentType: 'image/png' });
    const mediaId = png.json().name.split('.')[0];
    const sent = await D('POST', `/chats/${chat.id}/messages`, {
      localId: randomUUID(),
      text: 'with a picture',
      attachment: { id: mediaId, fileType: 'png', fileSize: 1 },
    });
    assert.equal(sent.statusCode, 200, sent.body);
    const third = await register(t.app);
    const friendsChat = (
      await client(t.app, friend.token)('POST', '/chats', { title: 'Friend’s', participants: [doomed.id, third.id], isPersonal: false })
    ).json();
    const before = await storedFiles(t);

    assert.equal((await as('DELETE', `/admin/users/${doomed.username}`)).statusCode, 200);
    assert.equal((await t.app.inject({ url: '/users/me', headers: bearer(doomed.token) })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(doomed.username, doomed.password) })).statusCode, 401);
    problemOf(await as('GET', `/admin/users/${doomed.id}`), 404);
    problemOf(await client(t.app, friend.token)('GET', `/chats/${chat.id}`), 404);
    assert.equal((await client(t.app, friend.token)('GET', `/chats/${friendsChat.id}`)).statusCode, 200);
    const after = await storedFiles(t);
    assert.ok(after.length < before.length, 'the uploads’ files are gone');
    assert.ok(!after.some((key) => key.startsWith(mediaId)));
    const [entry] = (await as('GET', '/admin/audit?limit=1')).json().entries;
    assert.deepEqual([entry.action, entry.targetId, entry.actorId, entry.details.username], ['user.delete', String(doomed.id), root.id, doomed.username]);
  });
});

describe('parley users list and delete', () => {
  const t = useCliApp();

  it('lists with --query and deletes by username; bad --limit is one line', async () => {
    const tag = uniqueName('clilist');
    const a = await register(t.app, { username: `${tag}a` });
    const listed = await t.cli(['users', 'list', '--query', tag]);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, new RegExp(`^${a.id}\\t${a.username}\\tuser\\tenabled\\t.*\\t1$`));
    assertFailed(await t.cli(['users', 'list', '--limit', '0']), /--limit must be a whole number/);
    const deleted = await t.cli(['users', 'delete', a.username]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /^Deleted /);
    assert.equal((await t.me(a.token)).statusCode, 401);
    assert.equal((await t.cli(['users', 'list', '--query', tag])).stdout, '');
    const { entries } = await t.app.core.audit.list({ limit: 1 });
    assert.deepEqual([entries[0]!.action, entries[0]!.actorId], ['user.delete', null]);
  });
});
