/**
 * Delivers the webhook outbox, one worker per node. Each webhook's deliveries go strictly in
 * order, one at a time: only a webhook's oldest pending delivery is ever attempted, so a
 * receiver that is down gets everything once it is back, in the order it happened. A failed
 * attempt is retried with exponential backoff (jittered, capped at an hour) up to
 * `maxAttempts`, then marked failed and the next one goes. Different webhooks are delivered
 * side by side (`concurrency`), so one slow receiver holds up only itself. A lease on the row
 * keeps two nodes from sending the same delivery at once.
 */
import { createHmac } from 'node:crypto';
import type { Clock } from '../ports/clock.js';
import type { DeliveryRecord, Store } from '../ports/store.js';
import type { WebhookSender } from '../ports/webhook-sender.js';
import type { WebhooksService } from './webhooks.service.js';
import { coalescingRunner } from './coalescing-runner.js';

export interface WebhookWorkerOptions {
  store: Store;
  clock: Clock;
  sender: WebhookSender | undefined;
  webhooks: WebhooksService;
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs: number;
  concurrency: number;
  /** How often to look for deliveries written by other nodes or due for a retry. */
  pollMs?: number;
  onError: (error: unknown, context: string) => void;
}

const MAX_BACKOFF_MS = 3_600_000;
/** Finished deliveries are kept this long for the listing. */
export const DELIVERY_RETENTION_MS = 7 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 600_000;

/** The signature header of `body` sent at `unixSeconds`: `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`. */
export function signatureOf(secret: string, unixSeconds: number, body: string): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

export type WebhookWorker = ReturnType<typeof createWebhookWorker>;

export function createWebhookWorker(o: WebhookWorkerOptions) {
  const { store, clock, sender } = o;
  const leaseMs = o.timeoutMs * 3;
  /** Webhooks with a delivery chain running on this node. */
  const busy = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let prunedAt = 0;

  function backoff(attempts: number): number {
    const exponential = Math.min(MAX_BACKOFF_MS, o.retryBaseMs * 2 ** (attempts - 1));
    return Math.round(exponential * (0.8 + Math.random() * 0.4));
  }

  /** One attempt at `row`; resolves true when it was delivered (the next one may go at once). */
  async function attempt(row: DeliveryRecord): Promise<boolean> {
    const now = clock.now();
    if (!sender || !(await store.webhooks.lease(row.id, now, now + leaseMs))) return false;
    const hook = await store.webhooks.findById(row.webhookId);
    if (!hook) return false;
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Parley-Webhooks/1',
      'parley-event': row.event,
      'parley-delivery': String(row.id),
      'parley-signature': signatureOf(hook.secret, Math.floor(now / 1000), row.payload),
    };
    const result = await sender.post(hook.url, row.payload, headers, o.timeoutMs);
    const outcome = { attempts: row.attempts + 1, lastError: result.ok ? null : (result.error ?? 'failed').slice(0, 500), lastStatus: result.status ?? null };
    if (result.ok) {
      await store.webhooks.finish(row.id, 'delivered', outcome, clock.now());
      return true;
    }
    if (outcome.attempts >= o.maxAttempts) {
      await store.webhooks.finish(row.id, 'failed', outcome, clock.now());
      o.onError(new Error(`webhook delivery ${row.id} failed after ${outcome.attempts} attempts: ${outcome.lastError}`), 'webhook');
      return true;
    }
    await store.webhooks.reschedule(row.id, outcome, clock.now() + backoff(outcome.attempts));
    return false;
  }

  /** Delivers `first`, then the webhook's next due ones, one by one, while they succeed. */
  function chain(first: DeliveryRecord): void {
    const run = (async () => {
      let row: DeliveryRecord | undefined = first;
      while (row && !stopped) {
        if (!(await attempt(row))) break;
        row = (await store.webhooks.dueHeads(clock.now(), 1, row.webhookId))[0];
      }
    })()
      .catch((error) => o.onError(error, 'webhook delivery'))
      .finally(() => {
        busy.delete(first.webhookId);
        // A slot is free: others may be waiting.
        kick();
      });
    busy.set(first.webhookId, run);
  }

  async function look(): Promise<void> {
    try {
      const now = clock.now();
      if (now - prunedAt > PRUNE_EVERY_MS) {
        prunedAt = now;
        await store.webhooks.prune(now - DELIVERY_RETENTION_MS);
      }
      const free = o.concurrency - busy.size;
      if (free <= 0 || stopped) return;
      // Asking for more than the free slots: heads of busy webhooks are skipped here.
      const heads = await store.webhooks.dueHeads(now, free + busy.size);
      for (const head of heads) {
        if (busy.size >= o.concurrency || stopped) break;
        if (!busy.has(head.webhookId)) chain(head);
      }
    } catch (error) {
      o.onError(error, 'webhook outbox');
    }
  }

  const runner = coalescingRunner(look, () => stopped);
  const kick = runner.kick;

  return {
    kick,
    /** Starts polling (and delivering what a crash or restart left pending). */
    start() {
      if (!stopped || !sender) return;
      stopped = false;
      o.webhooks.onEnqueued(kick);
      timer = setInterval(kick, o.pollMs ?? 1000);
      timer.unref();
      kick();
    },
    /** Stops taking deliveries and waits for the attempts in flight (each ends within its time limit). */
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await runner.idle();
      await Promise.all(busy.values());
    },
  };
}
