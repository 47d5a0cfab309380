/**
 * FCM HTTP v1: a service account's OAuth2 access token (a JWT assertion signed RS256,
 * exchanged at the account's `token_uri`), kept until shortly before it expires, then
 * `POST <api>/v1/projects/<project_id>/messages:send` with it as Bearer token.
 */
import { importPKCS8, SignJWT } from 'jose';
import { PUSH_TIMEOUT_MS, retryAfterMs, type PushNotification, type PushResult, type PushSender } from '../../ports/push.js';
import { describeError } from '../describe-error.js';

/** The fields of a Google service-account key file that FCM needs. */
export interface ServiceAccount {
  project_id: string;
  client_email: string;
  private_key: string;
  private_key_id?: string | undefined;
  token_uri: string;
}

export interface FcmOptions {
  serviceAccount: ServiceAccount;
  /** Default https://fcm.googleapis.com. */
  apiUrl: string;
}

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

interface FcmError {
  error?: { status?: string; message?: string; details?: Array<{ errorCode?: string; fieldViolations?: Array<{ field?: string }> }> };
}

/** The FCM message: a notification, the badge for Android and iOS, and Parley's ids as string data. */
export function fcmMessage(token: string, n: PushNotification) {
  const data: Record<string, string> = { kind: n.kind, chatId: n.chatId, badge: String(n.badge) };
  if (n.messageId !== undefined) data.messageId = String(n.messageId);
  if (n.name !== undefined) Object.assign(data, { name: n.name, data: JSON.stringify(n.data ?? null) });
  return {
    message: {
      token,
      notification: { title: n.authorName, body: n.body },
      data,
      android: { priority: 'high', notification: { notification_count: n.badge, tag: n.chatId } },
      apns: { payload: { aps: { badge: n.badge, 'thread-id': n.chatId } } },
    },
  };
}

/** How FCM's error answer maps to a result (its `status` and `details[].errorCode`). */
function classify(status: number, body: FcmError, retryAfter: number | undefined): PushResult {
  const codes = new Set([body.error?.status, ...(body.error?.details ?? []).map((d) => d.errorCode)]);
  const reason = `FCM answered ${status} ${[...codes].filter(Boolean).join(' ')}: ${body.error?.message ?? ''}`.trim();
  const aboutToken =
    (body.error?.details ?? []).some((d) => d.fieldViolations?.some((f) => f.field === 'message.token')) || /token/i.test(body.error?.message ?? '');
  if (codes.has('UNREGISTERED') || status === 404) return { status: 'invalidToken', reason };
  if (status === 400 && codes.has('INVALID_ARGUMENT') && aboutToken) return { status: 'invalidToken', reason };
  if (codes.has('SENDER_ID_MISMATCH')) return { status: 'invalidToken', reason };
  if (status === 429 || status >= 500 || codes.has('UNAVAILABLE') || codes.has('INTERNAL')) return { status: 'retry', reason, retryAfterMs: retryAfter };
  return { status: 'rejected', reason };
}

/** Builds the FCM sender; the service account's key is read once (a bad key fails here). */
export async function createFcmSender(options: FcmOptions): Promise<PushSender> {
  const account = options.serviceAccount;
  const key = await importPKCS8(account.private_key, 'RS256');
  const sendUrl = `${options.apiUrl.replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(account.project_id)}/messages:send`;
  let access: { token: string; expiresAt: number } | undefined;
  let fetching: Promise<string> | undefined;

  // Pushes that start together share one token request.
  function accessToken(): Promise<string> {
    if (access && Date.now() < access.expiresAt) return Promise.resolve(access.token);
    fetching ??= fetchAccessToken().finally(() => (fetching = undefined));
    return fetching;
  }

  async function fetchAccessToken(): Promise<string> {
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(account.private_key_id ? { kid: account.private_key_id } : {}) })
      .setIssuer(account.client_email)
      .setAudience(account.token_uri)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);
    const res = await fetch(account.token_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
      signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string };
    if (!res.ok || !body.access_token) throw new Error(`the token endpoint answered ${res.status} ${body.error ?? ''}`.trim());
    // Renewed a minute early, so a token never expires on its way to FCM.
    access = { token: body.access_token, expiresAt: Date.now() + Math.max(0, (body.expires_in ?? 3600) - 60) * 1000 };
    return access.token;
  }

  return {
    transport: 'fcm',
    async send(token, notification): Promise<PushResult> {
      let res: Response;
      try {
        res = await fetch(sendUrl, {
          method: 'POST',
          headers: { authorization: `Bearer ${await accessToken()}`, 'content-type': 'application/json' },
          body: JSON.stringify(fcmMessage(token, notification)),
          signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
        });
      } catch (error) {
        return { status: 'retry', reason: `FCM unreachable: ${describeError(error)}` };
      }
      if (res.ok) {
        await res.body?.cancel();
        return { status: 'sent' };
      }
      if (res.status === 401) {
        access = undefined; // revoked or expired early: fetch a new one next time
        return { status: 'retry', reason: 'FCM refused the access token (401)' };
      }
      const body = (await res.json().catch(() => ({}))) as FcmError;
      return classify(res.status, body, retryAfterMs(res.headers.get('retry-after')));
    },
  };
}
