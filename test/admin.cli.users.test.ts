/**
 * `parley users …` as a child process against the store of a running app: its changes reach
 * the app at once (through the app's control socket in DATA_DIR, or Redis with
 * PARLEY_TEST_BUS=redis). On PostgreSQL too with PARLEY_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { register } from './helpers.js';
import { useCliApp, assertFailed } from './cli-helpers.js';
import { postgresService } from './services.js';
import { connect, listen } from './ws-helpers.js';

await postgresService();

describe('parley users create, disable, enable', () => {
  const t = useCliApp();
  const { cli, login, me } = t;

  it('users create: the account logs in; bad input is one line and status 1', async () => {
    const created = await cli(['users', 'create', 'cli-ann', '--name', 'Ann', '--password-stdin'], 'ann password 1\n');
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^Created \d+\tcli-ann\tuser\tenabled\tAnn/);
    assert.equal((await login('cli-ann', 'ann password 1')).statusCode, 200);
    assertFailed(await cli(['users', 'create', 'cli-bob', '--name', 'Bob', '--password', 'short']), /password must be 8 to 1024/);
    assertFailed(await cli(['users', 'create', 'cli-ann', '--name', 'Ann', '--password', 'long enough']), /username is taken/);
    assertFailed(await cli(['users', 'disable', 'nobody-here']), /^parley: User not found\.$/m);
  });

  it('users disable: login refused, token refused and socket closed at once; enable undoes it', async () => {
    const user = await register(t.app);
    const socket = await connect(`${await listen(t.testApp)}/ws?token=${user.token}`);
    const result = await cli(['users', 'disable', String(user.id)]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await socket.waitClosed()).code, 4001);
    assert.equal((await me(user.token)).statusCode, 401);
    assert.equal((await login(user.username, user.password)).statusCode, 403);
    assert.equal((await cli(['users', 'enable', user.username])).code, 0);
    assert.equal((await login(user.username, user.password)).statusCode, 200);
  });
});
