/** The push configuration: each transport off unless configured, and clear messages for bad values. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import webpush from 'web-push';
import { loadConfig } from '../src/config.js';
import { configProblems as problemsOf, startApp, tempDir } from './helpers.js';

const ecPem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const rsaPem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('push configuration', () => {
  it('is off by default, with full previews', () => {
    const { push } = loadConfig({}, '/srv');
    assert.deepEqual(push, { preview: 'full', retryBaseMs: 2000, maxAttempts: 8, concurrency: 16, apns: undefined, fcm: undefined, web: undefined });
  });

  it('reads each transport: the APNs key and service account as text or path, the VAPID keys', () => {
    const dir = tempDir();
    const keyFile = path.join(dir, 'AuthKey.p8');
    writeFileSync(keyFile, ecPem());
    const account = { project_id: 'p1', client_email: 'x@p1.iam.gserviceaccount.com', private_key: rsaPem() };
    writeFileSync(path.join(dir, 'sa.json'), JSON.stringify(account));
    const vapid = webpush.generateVAPIDKeys();
    const { push } = loadConfig(
      {
        APNS_KEY: keyFile,
        APNS_KEY_ID: 'K',
        APNS_TEAM_ID: 'T',
        APNS_TOPIC: 'app.id',
        FCM_SERVICE_ACCOUNT: 'sa.json',
        VAPID_PUBLIC_KEY: vapid.publicKey,
        VAPID_PRIVATE_KEY: vapid.privateKey,
        VAPID_SUBJECT: 'https://parley.example/contact',
        PUSH_PREVIEW: 'hidden',
      },
      dir,
    );
    assert.equal(push.apns?.host, 'api.push.apple.com');
    assert.match(push.apns!.keyPem, /BEGIN PRIVATE KEY/);
    assert.equal(push.fcm?.serviceAccount.token_uri, 'https://oauth2.googleapis.com/token', 'the default token URI when the file has none');
    assert.equal(push.fcm?.apiUrl, 'https://fcm.googleapis.com');
    assert.equal(push.web?.subject, 'https://parley.example/contact');
    assert.equal(push.preview, 'hidden');
  });

  it('names every bad or half-configured push variable', () => {
    const problems = problemsOf({
      APNS_KEY_ID: 'K',
      APNS_TEAM_ID: 'T',
      FCM_SERVICE_ACCOUNT: '{"project_id": "p"',
      VAPID_PUBLIC_KEY: 'short',
      VAPID_PRIVATE_KEY: 'short',
      VAPID_SUBJECT: 'ops@example.com',
      PUSH_PREVIEW: 'some',
      PUSH_MAX_ATTEMPTS: '0',
    });
    assert.ok(
      problems.some((p) => p.startsWith('APNS_KEY, APNS_KEY_ID, APNS_TEAM_ID, APNS_TOPIC: set all or none (missing APNS_KEY, APNS_TOPIC)')),
      problems.join('\n'),
    );
    assert.ok(problems.includes('FCM_SERVICE_ACCOUNT: not valid JSON'));
    assert.ok(problems.some((p) => p.startsWith('VAPID_PUBLIC_KEY: expected a P-256 public key')));
    assert.ok(problems.some((p) => p.startsWith('VAPID_PRIVATE_KEY: expected a P-256 private key')));
    assert.ok(problems.some((p) => p.startsWith('VAPID_SUBJECT: expected a mailto: address or an https: URL')));
    assert.ok(problems.includes('PUSH_PREVIEW: expected full or hidden, got "some"'));
    assert.ok(problems.some((p) => p.startsWith('PUSH_MAX_ATTEMPTS:')));
    assert.deepEqual(problemsOf({ FCM_SERVICE_ACCOUNT: '{"project_id": "p"}' }), ['FCM_SERVICE_ACCOUNT: the service account lacks client_email, private_key']);
    assert.match(
      problemsOf({ FCM_SERVICE_ACCOUNT: 'missing.json' })[0]!,
      /^FCM_SERVICE_ACCOUNT: expected the service account JSON or the path of its file; no file at/,
    );
    assert.match(
      problemsOf({ APNS_KEY: 'nope.p8', APNS_KEY_ID: 'K', APNS_TEAM_ID: 'T', APNS_TOPIC: 'a', APNS_HOST: 'bad host!' }).join('\n'),
      /APNS_KEY: expected PEM text or the path of a PEM file[\s\S]*APNS_HOST: expected a host name/,
    );
  });

  it('fails the start on an APNs key that is not a P-256 key', async () => {
    await assert.rejects(startApp({ APNS_KEY: rsaPem(), APNS_KEY_ID: 'K', APNS_TEAM_ID: 'T', APNS_TOPIC: 'a' }));
  });
});
