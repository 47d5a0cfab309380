/**
 * The push port: one sender per transport (APNs, FCM, Web Push), each speaking its
 * service's protocol. The core decides who gets a push and when (the outbox worker); a
 * sender only delivers one notification to one device token and says how it went.
 */
import type { PushTransport } from './metrics.js';

export type { PushTransport };

/** What a push says, the same for every transport; each adapter lays it out its own way. */
export interface PushNotification {
  kind: 'message' | 'auxiliary';
  chatId: string;
  /** For `message`: its public id (the UUID clients know it by). */
  messageId?: string | undefined;
  /** The author's display name (the notification's title). */
  authorName: string;
  /** The preview text; a generic line when previews are hidden. */
  body: string;
  /** The recipient's unread messages over all chats. */
  badge: number;
  /** For `auxiliary`: the event's name and data. */
  name?: string | undefined;
  data?: unknown;
}

/**
 * How one attempt went. `retry`: the service or the network failed for now (5xx, 429,
 * time-out), try later. `invalidToken`: the service says this token will never work again
 * (uninstalled app, expired subscription): forget it. `rejected`: refused for another
 * reason that retrying will not fix (a bad payload, bad credentials): drop this push.
 */
export type PushResult =
  | { status: 'sent' }
  | { status: 'retry'; reason: string; retryAfterMs?: number | undefined }
  | { status: 'invalidToken'; reason: string }
  | { status: 'rejected'; reason: string };

export interface PushSender {
  readonly transport: PushTransport;
  /** Delivers `notification` to the device `token`; never throws for a delivery failure. */
  send(token: string, notification: PushNotification): Promise<PushResult>;
  /** Closes connections (HTTP/2 sessions, agents). */
  close?(): Promise<void>;
}

/** The configured senders, by transport; a transport without one is off. */
export type PushSenders = Partial<Record<PushTransport, PushSender>>;

/** Time-out of one attempt to any push service. */
export const PUSH_TIMEOUT_MS = 10_000;

/**
 * Reads a `Retry-After` header (seconds or an HTTP date) as milliseconds from now; undefined
 * when absent or unreadable.
 */
export function retryAfterMs(value: string | string[] | null | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A browser's PushSubscription: where to post, and the keys to encrypt for. */
export interface WebSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const bytesOf = (b64url: string) => Buffer.from(b64url, 'base64url').length;

/** The subscription in `token`, or undefined when it is not one (an https endpoint, a P-256 key, a 16-byte secret). */
export function parseSubscription(token: string): WebSubscription | undefined {
  let value: unknown;
  try {
    value = JSON.parse(token);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { endpoint, keys } = value as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } };
  if (typeof endpoint !== 'string' || typeof keys !== 'object' || keys === null) return undefined;
  try {
    if (new URL(endpoint).protocol !== 'https:') return undefined;
  } catch {
    return undefined;
  }
  const { p256dh, auth } = keys;
  if (typeof p256dh !== 'string' || typeof auth !== 'string' || !BASE64URL.test(p256dh) || !BASE64URL.test(auth)) return undefined;
  if (bytesOf(p256dh) !== 65 || bytesOf(auth) !== 16) return undefined;
  return { endpoint, keys: { p256dh, auth } };
}
