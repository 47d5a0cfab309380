/**
 * Device push tokens as clients send them. APNs and FCM tokens are opaque strings; a Web
 * Push token is the browser's PushSubscription as JSON, checked here so that a malformed
 * one is refused with 400 when it is set rather than failing every push later.
 */
import { invalid } from '../errors.js';
import { parseSubscription } from '../ports/push.js';

/** Throws 400 (naming `field`) when `token` cannot be a push token for `transport`. */
export function checkPushToken(transport: string | null, token: string | null, field: string): void {
  if (transport === 'web' && token !== null && !parseSubscription(token)) {
    throw invalid([
      { name: field, reason: 'for the web transport, a PushSubscription as JSON: {"endpoint": "https://…", "keys": {"p256dh": "…", "auth": "…"}}' },
    ]);
  }
}
