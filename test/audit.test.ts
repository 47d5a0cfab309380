/**
 * The audit log: `GET /admin/audit` is for admins only (401, 403, 400 first); every admin
 * route and every admin CLI command records an entry, newest first with cursor paging; the
 * CLI's entries have no actor. Runs on PostgreSQL too with PARLEY_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { useCliApp } from './cli-helpers.js';
import { bearer, client, problemOf, register, startApp, type Registered, type TestApp, registerAdmin } from './helpers.js';
import { postgresService } from './services.js';

await postgresService();

describe('audit log', () => {
  let t: TestApp;
  let root: Registered;
  let as: ReturnType<typeof client>;
  const newest = async (limit = 1) => (await as('GET', `/admin/audit?limit=${limit}`)).json().entries;

  before(async () => {
    t = await startApp();
    ({ root, as } = await registerAdmin(t.app));
  });
  after(() => t.destroy());

  it('answers 401 without a token, 403 to a non-admin and 400 for a bad page', async () => {
    const plain = await register(t.app);
    problemOf(await t.app.inject({ url: '/admin/audit' }), 401);
    problemOf(await t.app.inject({ url: '/admin/audit', headers: bearer(plain.token) }), 403);
    problemOf(await as('GET', '/admin/audit?limit=0'), 400);
    problemOf(await as('GET', '/admin/audit?limit=1000'), 400);
    problemOf(await as('GET', '/admin/audit?cursor=abc'), 400);
  });

  it('records every admin route with the admin as actor (never a password)', async () => {
    const user = await register(t.app);
    const steps: Array<[string, string, object | undefined, string, string]> = [
      ['PUT', `/admin/users/${user.id}/disable`, undefined, 'user.disable', 'user'],
      ['PUT', `/admin/users/${user.id}/enable`, undefined, 'user.enable', 'user'],
      ['PUT', `/admin/users/${user.id}/password`, { password: 'a new password 1' }, 'user.password-reset', 'user'],
      ['PUT', `/admin/users/${user.id}/role`, { role: 'admin' }, 'user.role', 'user'],
      ['DELETE', `/admin/users/${user.id}/sessions`, undefined, 'user.sessions-revoke', 'user'],
      ['POST', '/admin/keys/rotate', undefined, 'signing-key.rotate', 'signing-key'],
    ];
    for (const [method, url, payload, action, targetType] of steps) {
      const res = await as(method as 'PUT', url, payload);
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      const [entry] = await newest();
      assert.equal(entry.action, action);
      assert.equal(entry.targetType, targetType);
      assert.equal(entry.actorId, root.id);
      if (targetType === 'user') assert.equal(entry.targetId, String(user.id));
      assert.ok(!JSON.stringify(entry).includes('a new password 1'));
    }
    const made = await as('POST', '/admin/users', { username: `made${user.id}`, name: 'Made', password: 'made password' });
    const [created] = await newest();
    assert.deepEqual([created.action, created.targetId, created.details.username], ['user.create', String(made.json().id), `made${user.id}`]);
    const other = await register(t.app);
    const session = (await client(t.app, other.token)('GET', '/users/me')).json().deviceSessions[0];
    assert.equal((await as('DELETE', `/admin/sessions/${session.id}`)).statusCode, 200);
    const [revoked] = await newest();
    assert.deepEqual([revoked.action, revoked.targetId, revoked.details.userId], ['session.revoke', session.id, other.id]);
  });

  it('pages newest first with a cursor, every entry once', async () => {
    for (let i = 0; i < 5; i++) await t.app.core.audit.record({ actorId: root.id, action: 'test.page', targetType: 'user', targetId: i });
    const seen: number[] = [];
    let cursor: number | null = null;
    do {
      const res = await as('GET', `/admin/audit?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
      const page = res.json();
      assert.ok(page.entries.length <= 2);
      seen.push(...page.entries.map((e: { id: number }) => e.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => b - a),
    );
    assert.equal(new Set(seen).size, seen.length);
    const total = await t.app.core.audit.list({ limit: 200 });
    assert.equal(seen.length, total.entries.length);
  });
});

describe('audit log of the admin CLI', () => {
  const t = useCliApp();

  it('records CLI actions without an actor', async () => {
    const user = await register(t.app);
    assert.equal((await t.cli(['users', 'disable', String(user.id)])).code, 0);
    assert.equal((await t.cli(['users', 'promote', user.username])).code, 0);
    assert.equal((await t.cli(['sessions', 'revoke', '--all', user.username])).code, 0);
    const { entries } = await t.app.core.audit.list({ limit: 3 });
    assert.deepEqual(
      entries.map((e) => e.action),
      ['user.sessions-revoke', 'user.role', 'user.disable'],
    );
    for (const e of entries) {
      assert.equal(e.actorId, null);
      assert.equal(e.targetId, String(user.id));
    }
  });
});
