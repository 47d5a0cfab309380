import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import jwt from 'jsonwebtoken';
import { bearer, FAST_ARGON2, register, startApp, type TestApp } from './helpers.js';
import { rsaKeys, startVonageMock, vappSignup } from './vapp-helpers.js';

const run = promisify(execFile);

/** Runs `npm run vonage-token -- <name>` as an operator would; resolves with its exit code and output. */
async function vonageToken(name: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'vonage-token', '--', name], {
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'silent', ...FAST_ARGON2, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// The CLI finds the store by DATA_DIR; the PostgreSQL test schemas are private to the helpers.
const skip = process.env.PARLEY_TEST_STORE === 'postgres' ? 'the CLI test runs on the SQLite store only' : false;

describe('npm run vonage-token', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.destroy());

  it('prints a token for an existing account that verifies and is accepted', async () => {
    const user = await vappSignup(t.app);
    const { code, stdout } = await vonageToken(user.name.toUpperCase(), { DATA_DIR: t.dataDir });
    assert.equal(code, 0);
    const token = stdout.trim();
    const claims = jwt.verify(token, await t.app.core.vonageTokens.publicKeyPem(), { algorithms: ['RS256'] }) as jwt.JwtPayload;
    assert.equal(claims.sub, user.name);
    assert.equal(claims.user_id, user.id);
    assert.equal(claims.application_id, await t.app.core.vonageTokens.applicationId());
    assert.equal((await t.app.inject({ url: '/vapp/users', headers: bearer(token) })).statusCode, 200);
  });

  it('fails with status 1 for an unknown account', async () => {
    const { code, stdout, stderr } = await vonageToken('nobody-here', { DATA_DIR: t.dataDir });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /No account is named "nobody-here"/);
  });

  it('signs with the configured Vonage application', async () => {
    const keys = rsaKeys();
    const applicationId = randomUUID();
    const mock = await startVonageMock();
    try {
      const native = await register(t.app);
      const env = { DATA_DIR: t.dataDir, VONAGE_APPLICATION_ID: applicationId, VONAGE_PRIVATE_KEY: keys.privatePem, VONAGE_API_URL: mock.url };
      const { code, stdout, stderr } = await vonageToken(native.username, env);
      assert.equal(code, 0);
      assert.match(stderr, /not provisioned in Vonage yet/);
      const claims = jwt.verify(stdout.trim(), keys.publicPem, { algorithms: ['RS256'] }) as jwt.JwtPayload;
      assert.equal(claims.application_id, applicationId);
      assert.equal(claims.user_id, `USR-${native.uid}`);
      assert.equal(mock.requests.length, 0, 'the CLI never calls Vonage');
    } finally {
      await mock.close();
    }
  });
});
