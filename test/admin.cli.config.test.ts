/**
 * `parley config` and `parley migrate` as child processes (see admin.cli.users.test.ts).
 * On PostgreSQL too.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { tempDir } from './helpers.js';
import { parley } from './cli-helpers.js';
import { createTestSchema, postgresService } from './services.js';

await postgresService();
const onPostgres = process.env.PARLEY_TEST_STORE === 'postgres';

describe('parley config, migrate', () => {
  const env = { DATA_DIR: tempDir('parley-config-') };
  after(() => rmSync(env.DATA_DIR, { recursive: true, force: true }));

  it('config prints the effective configuration with every secret masked', async () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const vonage = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const apns = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const vapid = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const jwk = vapid.privateKey.export({ format: 'jwk' });
    const vapidPublic = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]).toString('base64url');
    const vapidPrivate = jwk.d!;
    const result = await parley(['config'], {
      DATA_DIR: env.DATA_DIR,
      DATABASE_URL: 'postgres://parley:hunter2secret@db.example:5432/parley',
      REDIS_URL: 'redis://:redispass99@cache:6379',
      TOKEN_SIGNING_KEY: pem,
      VONAGE_APPLICATION_ID: 'app-1',
      VONAGE_PRIVATE_KEY: vonage,
      PORT: '4321',
      METRICS_TOKEN: 'metrics-token-0123456789',
      APNS_KEY: apns,
      APNS_KEY_ID: 'KEYID12345',
      APNS_TEAM_ID: 'TEAMID1234',
      APNS_TOPIC: 'com.example.chat',
      FCM_SERVICE_ACCOUNT: JSON.stringify({ project_id: 'p', client_email: 'c@p.iam.example', private_key: vonage }),
      VAPID_PUBLIC_KEY: vapidPublic,
      VAPID_PRIVATE_KEY: vapidPrivate,
      VAPID_SUBJECT: 'mailto:ops@example.com',
    });
    assert.equal(result.code, 0, result.stderr);
    const shown = JSON.parse(result.stdout);
    assert.equal(shown.port, 4321);
    assert.equal(shown.tokenTtlSeconds, 3600);
    assert.equal(shown.tokenSigningKey, '***');
    assert.equal(shown.vonagePrivateKey, '***');
    assert.equal(shown.databaseUrl, 'postgres://parley:***@db.example:5432/parley');
    // Push keys and the metrics token too (the APNs key once showed: `keyPem` did not end in "key").
    assert.ok(shown.push.apns && shown.push.fcm && shown.push.web, 'every push transport configured');
    for (const secret of ['hunter2secret', 'redispass99', 'PRIVATE KEY', 'metrics-token-0123456789', vapidPrivate])
      assert.ok(!result.stdout.includes(secret), secret);
  });

  it('migrate applies every migration to a fresh store and exits', async () => {
    const dataDir = tempDir('parley-migrate-');
    try {
      const schema = onPostgres ? await createTestSchema() : undefined;
      const result = await parley(['migrate'], { DATA_DIR: dataDir, ...(schema ? { DATABASE_URL: schema.url } : {}) });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /schema is at 0008_admin|schema is at 0\d{3}[a-z]?_/);
      if (!schema) {
        const db = new SqliteDatabase(path.join(dataDir, 'parley.db'), { readonly: true });
        const columns = (db.prepare('pragma table_info(users)').all() as Array<{ name: string }>).map((c) => c.name);
        db.close();
        assert.ok(columns.includes('role') && columns.includes('disabled_at'), columns.join());
      }
      await schema?.drop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
