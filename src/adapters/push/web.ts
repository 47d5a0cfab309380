/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) through the `web-push` library: the payload is
 * encrypted (aes128gcm, RFC 8291) for the subscription's keys, and the request is signed
 * with the server's VAPID key. For this transport the device token is the browser's
 * PushSubscription JSON, `{endpoint, keys: {p256dh, auth}}`.
 */
import https from 'node:https';
import webpush from 'web-push';
import { parseSubscription, PUSH_TIMEOUT_MS, retryAfterMs, type PushNotification, type PushResult, type PushSender } from '../../ports/push.js';
import { describeError } from '../describe-error.js';

export interface WebPushOptions {
  publicKey: string;
  privateKey: string;
  /** `mailto:` or `https:` contact the push service may use (VAPID `sub`). */
  subject: string;
  /** Extra trusted CA (PEM), for a stand-in endpoint in tests. */
  ca?: string | undefined;
}

/** What the service worker receives: the notification's title, body and badge with Parley's ids. */
export function webPushPayload(n: PushNotification): string {
  return JSON.stringify({
    title: n.authorName,
    body: n.body,
    badge: n.badge,
    kind: n.kind,
    chatId: n.chatId,
    ...(n.messageId !== undefined ? { messageId: n.messageId } : {}),
    ...(n.name !== undefined ? { name: n.name, data: n.data ?? null } : {}),
  });
}

/** Builds the Web Push sender; the VAPID keys are checked here (a bad key fails at start). */
export function createWebPushSender(options: WebPushOptions): PushSender {
  const vapidDetails = { subject: options.subject, publicKey: options.publicKey, privateKey: options.privateKey };
  // Throws on keys of the wrong size or a subject that is not mailto:/https:.
  webpush.getVapidHeaders('https://push.example.com', options.subject, options.publicKey, options.privateKey, 'aes128gcm');
  const agent = new https.Agent({ keepAlive: true, ...(options.ca ? { ca: options.ca } : {}) });

  return {
    transport: 'web',
    async send(token, notification): Promise<PushResult> {
      const subscription = parseSubscription(token);
      if (!subscription) return { status: 'invalidToken', reason: 'the token is not a PushSubscription' };
      try {
        await webpush.sendNotification(subscription, webPushPayload(notification), {
          vapidDetails,
          TTL: 24 * 3600,
          urgency: 'high',
          contentEncoding: 'aes128gcm',
          timeout: PUSH_TIMEOUT_MS,
          agent,
        });
        return { status: 'sent' };
      } catch (error) {
        if (!(error instanceof webpush.WebPushError)) return { status: 'retry', reason: `push service unreachable: ${describeError(error)}` };
        const status = error.statusCode;
        const reason = `the push service answered ${status}`;
        // 404/410: the subscription expired or was withdrawn.
        if (status === 404 || status === 410) return { status: 'invalidToken', reason };
        if (status === 429 || status >= 500)
          return { status: 'retry', reason, retryAfterMs: retryAfterMs((error.headers as Record<string, string | undefined>)['retry-after']) };
        return { status: 'rejected', reason };
      }
    },
    async close() {
      agent.destroy();
    },
  };
}
