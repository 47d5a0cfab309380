/**
 * APNs: HTTP/2 to `POST /3/device/<token>` with a token-based provider JWT (ES256, `kid` =
 * key id, `iss` = team id), made once and reused for 50 minutes (Apple refuses tokens
 * refreshed more often than every 20 minutes, and older than an hour). One HTTP/2 session
 * per sender, reopened when it closes.
 */
import http2 from 'node:http2';
import { importPKCS8, SignJWT } from 'jose';
import { PUSH_TIMEOUT_MS, retryAfterMs, type PushNotification, type PushResult, type PushSender } from '../../ports/push.js';
import { describeError } from '../describe-error.js';

export interface ApnsOptions {
  /** The `.p8` signing key (PKCS#8 PEM). */
  keyPem: string;
  keyId: string;
  teamId: string;
  /** The app's bundle id (`apns-topic`). */
  topic: string;
  /** `host[:port]`, default api.push.apple.com. */
  host: string;
  /** Extra trusted CA (PEM), for a stand-in server in tests. */
  ca?: string | undefined;
}

const JWT_REUSE_MS = 50 * 60_000;
/** A 400 with one of these reasons is about the token itself. */
const TOKEN_REASONS = new Set(['BadDeviceToken', 'DeviceTokenNotForTopic', 'Unregistered']);

/** The APNs payload: an alert with the author as title, the badge, and Parley's ids beside `aps`. */
export function apnsPayload(n: PushNotification): string {
  return JSON.stringify({
    aps: { alert: { title: n.authorName, body: n.body }, badge: n.badge, sound: 'default', 'thread-id': n.chatId },
    kind: n.kind,
    chatId: n.chatId,
    ...(n.messageId !== undefined ? { messageId: n.messageId } : {}),
    ...(n.name !== undefined ? { name: n.name, data: n.data ?? null } : {}),
  });
}

/** Builds the APNs sender; the key is read once (a bad key fails here, at start). */
export async function createApnsSender(options: ApnsOptions): Promise<PushSender> {
  const key = await importPKCS8(options.keyPem, 'ES256');
  let jwt: { token: string; madeAt: number } | undefined;
  let session: http2.ClientHttp2Session | undefined;

  async function providerToken(): Promise<string> {
    if (jwt && Date.now() - jwt.madeAt < JWT_REUSE_MS) return jwt.token;
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: options.keyId }).setIssuer(options.teamId).setIssuedAt().sign(key);
    jwt = { token, madeAt: Date.now() };
    return token;
  }

  function connect(): http2.ClientHttp2Session {
    if (session && !session.closed && !session.destroyed) return session;
    const opened = http2.connect(`https://${options.host}`, options.ca ? { ca: options.ca } : {});
    opened.on('error', () => {}); // each request in flight fails on its own and is retried
    opened.on('close', () => session === opened && (session = undefined));
    opened.on('goaway', () => session === opened && (session = undefined));
    opened.unref();
    return (session = opened);
  }

  function post(token: string, authorization: string, body: string): Promise<{ status: number; headers: http2.IncomingHttpHeaders; text: string }> {
    return new Promise((resolve, reject) => {
      const request = connect().request({
        ':method': 'POST',
        ':path': `/3/device/${encodeURIComponent(token)}`,
        authorization: `bearer ${authorization}`,
        'apns-topic': options.topic,
        'apns-push-type': 'alert',
        'apns-priority': '10',
        'content-type': 'application/json',
      });
      let headers: http2.IncomingHttpHeaders = {};
      let text = '';
      request.setEncoding('utf8');
      request.setTimeout(PUSH_TIMEOUT_MS, () => request.close(http2.constants.NGHTTP2_CANCEL));
      request.on('response', (h) => (headers = h));
      request.on('data', (chunk: string) => (text += chunk));
      request.on('end', () => resolve({ status: Number(headers[':status'] ?? 0), headers, text }));
      request.on('close', () => headers[':status'] === undefined && reject(new Error('the APNs stream closed without an answer')));
      request.on('error', reject);
      request.end(body);
    });
  }

  return {
    transport: 'apns',
    async send(token, notification): Promise<PushResult> {
      let answer: Awaited<ReturnType<typeof post>>;
      try {
        answer = await post(token, await providerToken(), apnsPayload(notification));
      } catch (error) {
        return { status: 'retry', reason: `APNs unreachable: ${describeError(error)}` };
      }
      const { status, headers, text } = answer;
      if (status === 200) return { status: 'sent' };
      let reason = `APNs answered ${status}`;
      try {
        reason = (JSON.parse(text) as { reason?: string }).reason ?? reason;
      } catch {
        // no JSON body
      }
      if (status === 410 || (status === 400 && TOKEN_REASONS.has(reason))) return { status: 'invalidToken', reason };
      if (status === 403 && /ProviderToken/.test(reason)) {
        jwt = undefined; // made anew for the next attempt
        return { status: 'retry', reason };
      }
      if (status === 429 || status >= 500) return { status: 'retry', reason, retryAfterMs: retryAfterMs(headers['retry-after']) };
      return { status: 'rejected', reason };
    },
    async close() {
      session?.close();
      session = undefined;
    },
  };
}
