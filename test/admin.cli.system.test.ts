/**
 * `parley sessions …`, `keys rotate`, `config` and `migrate` as child processes against the
 * store of a running app (see admin.cli.users.test.ts). On PostgreSQL too.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { register } from './helpers.js';
import { useCliApp, assertFailed, eventually, parley } from './cli-helpers.js';
import { postgresService } from './services.js';

await postgresService();

describe('parley sessions, keys rotate', () => {
  const t = useCliApp();
  const { cli, login, me } = t;

  it('sessions list and revoke (one, or --all)', async () => {
    const user = await register(t.app);
    const second = (await login(user.username, user.password)).json();
    const third = (await login(user.username, user.password)).json();
    const listed = await cli(['sessions', 'list', user.username]);
    assert.equal(listed.code, 0, listed.stderr);
    const ids = listed.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t')[0]);
    assert.deepEqual(ids.sort(), [user.sessionId, second.deviceSessions[0].id, third.deviceSessions[0].id].sort());
    assert.equal((await cli(['sessions', 'revoke', user.sessionId])).code, 0);
    await eventually(async () => assert.equal((await me(user.token)).statusCode, 401));
    assert.equal((await me(second.token)).statusCode, 200);
    const all = await cli(['sessions', 'revoke', '--all', user.username]);
    assert.match(all.stdout, /Ended 2 session/);
    await eventually(async () => assert.equal((await me(third.token)).statusCode, 401));
    assertFailed(await cli(['sessions', 'revoke', user.sessionId]), /Session not found/);
  });

  it('keys rotate: earlier tokens still verify, new tokens carry the new kid, the JWKS lists both', async () => {
    const user = await register(t.app);
    const oldKid = decodeProtectedHeader(user.token).kid;
    const result = await cli(['keys', 'rotate']);
    assert.equal(result.code, 0, result.stderr);
    const kid = /New signing key (\S+);/.exec(result.stdout)?.[1];
    assert.ok(kid && kid !== oldKid, result.stdout);
    assert.equal((await me(user.token)).statusCode, 200);
    await eventually(async () => {
      const fresh = (await login(user.username, user.password)).json();
      assert.equal(decodeProtectedHeader(fresh.token).kid, kid);
      assert.equal((await me(fresh.token)).statusCode, 200);
    });
    const kids = (await t.app.inject({ url: '/.well-known/jwks.json' })).json().keys.map((k: { kid: string }) => k.kid);
    assert.ok(kids.includes(oldKid) && kids.includes(kid), JSON.stringify(kids));
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assertFailed(await parley(['keys', 'rotate'], { ...t.env, TOKEN_SIGNING_KEY: pem }), /TOKEN_SIGNING_KEY is set/);
  });
});
