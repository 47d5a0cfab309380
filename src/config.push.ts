/**
 * The push part of the configuration (APNs, FCM, Web Push), read by `loadConfig` through
 * its readers so that `config.ts` stays the one place that touches the environment. Each
 * transport is off unless configured; a half-configured one is an error.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Readers } from './config.readers.js';

export interface PushConfig {
  /** `full` shows the message text in the notification; `hidden` a generic line. */
  preview: 'full' | 'hidden';
  /** First retry after this long, doubling each time (`PUSH_RETRY_BASE_MS`). */
  retryBaseMs: number;
  /** Attempts before a push is dropped (`PUSH_MAX_ATTEMPTS`). */
  maxAttempts: number;
  /** Pushes in flight at once per node (`PUSH_CONCURRENCY`). */
  concurrency: number;
  apns: { keyPem: string; keyId: string; teamId: string; topic: string; host: string } | undefined;
  fcm:
    | { serviceAccount: { project_id: string; client_email: string; private_key: string; private_key_id?: string; token_uri: string }; apiUrl: string }
    | undefined;
  web: { publicKey: string; privateKey: string; subject: string } | undefined;
}

const bytes = (b64url: string) => (/^[A-Za-z0-9_-]+={0,2}$/.test(b64url) ? Buffer.from(b64url, 'base64url').length : -1);

function allOrNone(r: Readers, names: string[]): boolean {
  const set = names.filter((n) => r.get(n) !== undefined);
  if (set.length > 0 && set.length < names.length)
    r.problems.push(`${names.join(', ')}: set all or none (missing ${names.filter((n) => !set.includes(n)).join(', ')})`);
  return set.length === names.length;
}

function readServiceAccount(r: Readers): PushConfig['fcm'] {
  const raw = r.get('FCM_SERVICE_ACCOUNT');
  if (raw === undefined) return undefined;
  let text = raw;
  if (!raw.startsWith('{')) {
    const file = path.resolve(r.cwd, raw);
    if (!existsSync(file)) return void r.problems.push(`FCM_SERVICE_ACCOUNT: expected the service account JSON or the path of its file; no file at "${file}"`);
    text = readFileSync(file, 'utf8');
  }
  let account: Record<string, unknown>;
  try {
    account = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return void r.problems.push('FCM_SERVICE_ACCOUNT: not valid JSON');
  }
  const missing = ['project_id', 'client_email', 'private_key'].filter((k) => typeof account[k] !== 'string' || account[k] === '');
  if (missing.length > 0) return void r.problems.push(`FCM_SERVICE_ACCOUNT: the service account lacks ${missing.join(', ')}`);
  if (!String(account.private_key).includes('-----BEGIN')) return void r.problems.push('FCM_SERVICE_ACCOUNT: private_key holds no PEM block');
  const tokenUri = typeof account.token_uri === 'string' ? account.token_uri : 'https://oauth2.googleapis.com/token';
  if (!/^https?:\/\/[^\s]+$/.test(tokenUri)) return void r.problems.push(`FCM_SERVICE_ACCOUNT: token_uri "${tokenUri}" is not an http(s) URL`);
  const apiUrl = (r.url('FCM_API_URL', ['http:', 'https:']) ?? 'https://fcm.googleapis.com').replace(/\/+$/, '');
  const serviceAccount = {
    project_id: String(account.project_id),
    client_email: String(account.client_email),
    private_key: String(account.private_key),
    token_uri: tokenUri,
    ...(typeof account.private_key_id === 'string' ? { private_key_id: account.private_key_id } : {}),
  };
  return { serviceAccount, apiUrl };
}

/** Reads every `APNS_*`, `FCM_*`, `VAPID_*` and `PUSH_*` variable. */
export function readPushConfig(r: Readers): PushConfig {
  const preview = (r.get('PUSH_PREVIEW') ?? 'full') as PushConfig['preview'];
  if (preview !== 'full' && preview !== 'hidden') r.problems.push(`PUSH_PREVIEW: expected full or hidden, got "${preview}"`);

  let apns: PushConfig['apns'];
  if (allOrNone(r, ['APNS_KEY', 'APNS_KEY_ID', 'APNS_TEAM_ID', 'APNS_TOPIC'])) {
    const keyPem = r.pem('APNS_KEY');
    const host = r.get('APNS_HOST') ?? 'api.push.apple.com';
    if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host)) r.problems.push(`APNS_HOST: expected a host name with an optional :port, got "${host}"`);
    if (keyPem) apns = { keyPem, keyId: r.get('APNS_KEY_ID')!, teamId: r.get('APNS_TEAM_ID')!, topic: r.get('APNS_TOPIC')!, host };
  }

  let web: PushConfig['web'];
  if (allOrNone(r, ['VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY', 'VAPID_SUBJECT'])) {
    const publicKey = r.get('VAPID_PUBLIC_KEY')!;
    const privateKey = r.get('VAPID_PRIVATE_KEY')!;
    const subject = r.get('VAPID_SUBJECT')!;
    const before = r.problems.length;
    if (bytes(publicKey) !== 65) r.problems.push('VAPID_PUBLIC_KEY: expected a P-256 public key, 65 bytes in base64url (`npx web-push generate-vapid-keys`)');
    if (bytes(privateKey) !== 32) r.problems.push('VAPID_PRIVATE_KEY: expected a P-256 private key, 32 bytes in base64url');
    if (!/^(mailto:\S+@\S+|https:\/\/\S+)$/.test(subject)) r.problems.push(`VAPID_SUBJECT: expected a mailto: address or an https: URL, got "${subject}"`);
    if (r.problems.length === before) web = { publicKey, privateKey, subject };
  }

  return {
    preview: preview === 'hidden' ? 'hidden' : 'full',
    retryBaseMs: r.int('PUSH_RETRY_BASE_MS', 2000, 10, 3_600_000),
    maxAttempts: r.int('PUSH_MAX_ATTEMPTS', 8, 1, 50),
    concurrency: r.int('PUSH_CONCURRENCY', 16, 1, 256),
    apns,
    fcm: readServiceAccount(r),
    web,
  };
}
