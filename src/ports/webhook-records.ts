/**
 * Store records of outgoing webhooks: the hooks and their deliveries (the durable outbox and
 * the delivery log in one). Part of the Store port (`store.ts` gathers them). Times are ms.
 */

export interface WebhookRecord {
  id: string;
  url: string;
  /** Event kinds delivered (`message`, `chatUpdate`, `userUpdate`, …). */
  events: string[];
  /** Only events of these chats; null: every chat (and events of no chat, such as `userUpdate`). */
  chatIds: string[] | null;
  /** The HMAC key of the signature header. */
  secret: string;
  createdAt: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryRecord {
  id: number;
  webhookId: string;
  event: string;
  /** The JSON body sent. */
  payload: string;
  status: DeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  lastError: string | null;
  lastStatus: number | null;
  dueAt: number;
  createdAt: number;
  finishedAt: number | null;
}

export type NewDelivery = Pick<DeliveryRecord, 'webhookId' | 'event' | 'payload' | 'dueAt' | 'createdAt'>;

/** How an attempt ended, as the worker records it. */
export interface AttemptOutcome {
  attempts: number;
  lastError: string | null;
  lastStatus: number | null;
}

export interface WebhooksRepository {
  insert(webhook: WebhookRecord): Promise<void>;
  findById(id: string): Promise<WebhookRecord | undefined>;
  list(): Promise<WebhookRecord[]>;
  delete(id: string): Promise<boolean>;
  enqueue(rows: NewDelivery[]): Promise<void>;
  /**
   * Each webhook's oldest pending delivery, when it is due and not leased: a webhook whose
   * oldest one waits for a retry has none here, so its later ones never overtake it. With
   * `webhookId`, only that webhook's.
   */
  dueHeads(now: number, limit: number, webhookId?: string): Promise<DeliveryRecord[]>;
  /** Leases a delivery until `until`; false when another worker holds it. */
  lease(id: number, now: number, until: number): Promise<boolean>;
  /** Ends a delivery as delivered or failed. */
  finish(id: number, status: 'delivered' | 'failed', outcome: AttemptOutcome, at: number): Promise<void>;
  /** Sets the next attempt of a pending delivery and frees its lease. */
  reschedule(id: number, outcome: AttemptOutcome, dueAt: number): Promise<void>;
  /** The newest deliveries of a webhook first. */
  listDeliveries(webhookId: string, limit: number): Promise<DeliveryRecord[]>;
  /** Removes finished deliveries that ended before `before`. */
  prune(before: number): Promise<void>;
}
