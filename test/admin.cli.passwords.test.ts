/**
 * `parley users reset-password`, `promote` and `demote` as child processes against the store
 * of a running app (see admin.cli.users.test.ts). On PostgreSQL too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearer, register } from './helpers.js';
import { useCliApp, assertFailed, eventually } from './cli-helpers.js';
import { postgresService } from './services.js';

await postgresService();

describe('parley users reset-password, promote, demote', () => {
  const t = useCliApp();
  const { cli, login, me } = t;

  it('users reset-password (from stdin): every session ends, the new password works', async () => {
    const user = await register(t.app);
    const result = await cli(['users', 'reset-password', user.username], 'brand new password\n');
    assert.equal(result.code, 0, result.stderr);
    await eventually(async () => assert.equal((await me(user.token)).statusCode, 401));
    assert.equal((await login(user.username, user.password)).statusCode, 401);
    assert.equal((await login(user.username, 'brand new password')).statusCode, 200);
    assertFailed(await cli(['users', 'reset-password', user.username], ''), /No password on stdin/);
  });

  it('users promote / demote: the admin routes open and close on the next request', async () => {
    const user = await register(t.app);
    const adminRoute = () => t.app.inject({ url: `/admin/users/${user.id}/sessions`, headers: bearer(user.token) });
    assert.equal((await adminRoute()).statusCode, 403);
    assert.equal((await cli(['users', 'promote', user.username])).code, 0);
    await eventually(async () => assert.equal((await adminRoute()).statusCode, 200));
    assert.equal((await cli(['users', 'demote', user.username])).code, 0);
    await eventually(async () => assert.equal((await adminRoute()).statusCode, 403));
  });
});
