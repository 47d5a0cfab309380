/**
 * Delivers the push outbox, one worker per node. Each round leases a batch of due rows
 * (several nodes never take the same row: the lease, and SKIP LOCKED on PostgreSQL), sends
 * them with bounded concurrency, and deletes each one done. A failure the service calls
 * temporary (5xx, 429, network) is retried with exponential backoff up to `maxAttempts`,
 * then dropped; a token it calls invalid is cleared from its session. A row whose session
 * is gone (logout), lost its token, or has a socket open again is dropped unsent.
 */
import pLimit from 'p-limit';
import type { Clock } from '../ports/clock.js';
import type { Metrics } from '../ports/metrics.js';
import { PUSH_TIMEOUT_MS, type PushNotification, type PushSenders, type PushTransport } from '../ports/push.js';
import type { PushRow, PushTarget, Store } from '../ports/store.js';
import type { Presence } from './presence.service.js';
import type { PushContent, PushService } from './push.service.js';

export interface PushWorkerOptions {
  store: Store;
  clock: Clock;
  senders: PushSenders;
  metrics: Metrics;
  presence: Presence;
  push: PushService;
  retryBaseMs: number;
  maxAttempts: number;
  concurrency: number;
  /** How often to look for due rows written by other nodes or due for a retry. */
  pollMs?: number;
  onError: (error: unknown, context: string) => void;
}

/** Longer than any attempt can take, so a lease outlives the work it covers. */
const LEASE_MS = PUSH_TIMEOUT_MS * 3;
const MAX_BACKOFF_MS = 3_600_000;

export type PushWorker = ReturnType<typeof createPushWorker>;

/** The outbox worker of this node; `start` after the app is ready, `stop` before the store closes. */
export function createPushWorker(o: PushWorkerOptions) {
  const { store, clock, senders, metrics } = o;
  const limit = pLimit(o.concurrency);
  const batch = o.concurrency * 4;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;

  function backoff(attempts: number, retryAfterMs: number | undefined): number {
    const exponential = Math.min(MAX_BACKOFF_MS, o.retryBaseMs * 2 ** (attempts - 1));
    const jittered = exponential * (0.8 + Math.random() * 0.4); // nodes retrying together spread out
    return Math.min(MAX_BACKOFF_MS, Math.max(jittered, retryAfterMs ?? 0));
  }

  async function deliver(row: PushRow, target: PushTarget | undefined, online: boolean, badge: (userId: number) => Promise<number>) {
    const transport = target?.pushTransport as PushTransport | undefined;
    const sender = transport && senders[transport];
    if (!target || !sender || online) return store.push.delete(row.id);
    const content = JSON.parse(row.payload) as PushContent;
    const notification: PushNotification = {
      kind: row.kind,
      chatId: row.chatId,
      messageId: content.messageId,
      authorName: content.authorName,
      body: content.body,
      badge: await badge(row.userId),
      name: content.name,
      data: content.data,
    };
    const result = await sender.send(target.pushToken, notification);
    if (result.status === 'sent') {
      metrics.pushOutcome(sender.transport, 'sent');
      return store.push.delete(row.id);
    }
    if (result.status === 'retry') {
      const attempts = row.attempts + 1;
      if (attempts < o.maxAttempts) {
        metrics.pushOutcome(sender.transport, 'failed');
        return store.push.reschedule(row.id, attempts, Math.round(clock.now() + backoff(attempts, result.retryAfterMs)));
      }
    }
    if (result.status === 'invalidToken') await store.push.clearToken(target.sessionId, target.pushToken);
    metrics.pushOutcome(sender.transport, 'dropped');
    if (result.status !== 'invalidToken') o.onError(new Error(`push dropped: ${result.reason}`), 'push');
    await store.push.delete(row.id);
  }

  /** One round: claims a batch and delivers it; resolves with how many rows it took. */
  async function round(): Promise<number> {
    const now = clock.now();
    const rows = await store.push.claim(now, now + LEASE_MS, batch);
    if (rows.length === 0) return 0;
    const sessionIds = [...new Set(rows.map((r) => r.sessionId))];
    const [targets, online] = await Promise.all([store.push.targets(sessionIds), store.push.onlineSessions(sessionIds, o.presence.onlineSince())]);
    const bySession = new Map(targets.map((t) => [t.sessionId, t]));
    const badges = new Map<number, Promise<number>>();
    const badge = (userId: number) => {
      let count = badges.get(userId);
      if (!count) badges.set(userId, (count = store.push.unreadCount(userId)));
      return count;
    };
    await Promise.all(
      rows.map((row) =>
        // A row that failed here keeps its lease and is taken again once it lapses.
        limit(() => deliver(row, bySession.get(row.sessionId), online.has(row.sessionId), badge)).catch((error) => o.onError(error, 'push delivery')),
      ),
    );
    return rows.length;
  }

  async function drain(): Promise<void> {
    do {
      again = false;
      try {
        while (!stopped && (await round()) === batch);
      } catch (error) {
        o.onError(error, 'push outbox');
      }
    } while (again && !stopped);
  }

  function kick() {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = drain().finally(() => (running = undefined));
  }

  return {
    /** Starts polling (and delivering what a crash or restart left due). */
    start() {
      if (!stopped) return;
      stopped = false;
      o.push.onEnqueued(kick);
      timer = setInterval(kick, o.pollMs ?? 1000);
      timer.unref();
      kick();
    },
    /** Stops taking new rows and waits for the round in flight. */
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
