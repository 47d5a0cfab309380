/**
 * Outgoing webhooks: admins register a URL for some event kinds (and chats); each matching
 * chat event is written to the webhook outbox in the event's own transaction (from
 * `chat-events.record`), so a committed change is never lost to a crash and a slow or dead
 * receiver never slows the change: the worker (`webhook-worker.ts`) delivers later.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { invalid, notFound } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { ChatEvent, ChatView, MessageView, Profile } from '../ports/events.js';
import type { DeliveryRecord, NewDelivery, Repositories, Store, WebhookRecord } from '../ports/store.js';
import type { WebhookSender } from '../ports/webhook-sender.js';

/** The event kinds a webhook may ask for. */
export const WEBHOOK_EVENTS = [
  'message',
  'messageUpdate',
  'messageRead',
  'chatUpdate',
  'addedUsers',
  'removedUsers',
  'chatCleared',
  'chatDeleted',
  'userUpdate',
] as const;

export interface NewWebhook {
  url: string;
  events: string[];
  chatIds?: string[] | undefined;
  /** The HMAC key; 32 random bytes (base64url) when not given. */
  secret?: string | undefined;
}

/** How long the list of webhooks is remembered by a node before it is read again (another node's changes). */
const CACHE_MS = 5_000;
/** Deliveries listed per webhook, newest first. */
export const DELIVERIES_LISTED = 100;

const iso = (ms: number) => new Date(ms).toISOString();
const person = (p: Profile) => ({ id: p.id, username: p.username, name: p.displayName });

function messageData(view: MessageView) {
  const m = view.message;
  return {
    // The public id (MessageInfo's UUID), with authorId as the native API gives it.
    id: m.uuid,
    authorId: view.author.id,
    chatId: m.chatId,
    seq: m.seq,
    text: m.deletedAt === null ? m.text : '',
    author: person(view.author),
    attachments: view.attachments.length,
    createdAt: iso(m.createdAt),
    editedAt: m.editedAt === null ? null : iso(m.editedAt),
    deleted: m.deletedAt !== null,
    // A reply in a thread names its root, so a receiver can keep it out of the main history.
    ...(view.threadId ? { threadId: view.threadId } : {}),
  };
}

function chatData(view: ChatView) {
  const c = view.chat;
  return {
    id: c.id,
    title: c.title,
    isPersonal: c.isPersonal,
    owner: person(view.owner),
    members: view.members.map(person),
    ...(view.addedUsers ? { addedUsers: view.addedUsers.map(person) } : {}),
    ...(view.removedUsers ? { removedUsers: view.removedUsers.map(person) } : {}),
  };
}

/** The `data` of a webhook body: a small, stable view of the event (no per-user settings). */
function dataOf(event: ChatEvent): Record<string, unknown> {
  if (event.message)
    return event.kind === 'messageRead'
      ? { messageId: event.message.message.uuid, seq: event.message.message.seq, userId: event.source }
      : { message: messageData(event.message) };
  if (event.chat) return { chat: chatData(event.chat) };
  if (event.user) return { user: { ...person(event.user), about: event.user.about } };
  return {};
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;

export function createWebhooksService(deps: { store: Store; clock: Clock; sender?: WebhookSender | undefined }) {
  const { store, clock, sender } = deps;
  let cached: { at: number; list: Promise<WebhookRecord[]>; count?: number } | undefined;
  let onEnqueued: () => void = () => {};

  /**
   * The webhooks, read through `repos`: inside a transaction, the embedded store's one
   * connection is the transaction's, and a read past it would wait for it forever.
   */
  const current = (repos: Repositories) => {
    const now = clock.now();
    if (!cached || now - cached.at > CACHE_MS || now < cached.at) {
      const list = repos.webhooks.list();
      const entry: NonNullable<typeof cached> = { at: now, list };
      cached = entry;
      list.then(
        (hooks) => (entry.count = hooks.length),
        () => {
          if (cached?.list === list) cached = undefined;
        },
      );
    }
    return cached.list;
  };

  const wants = (hook: WebhookRecord, event: ChatEvent) =>
    hook.events.includes(event.kind) && (hook.chatIds === null || (event.chatId !== '' && hook.chatIds.includes(event.chatId)));

  async function find(id: string): Promise<WebhookRecord> {
    const hook = await store.webhooks.findById(id);
    if (!hook) throw notFound('Webhook');
    return hook;
  }

  return {
    /** Registers a webhook; 400 for a bad or private URL, unknown event kinds or a short secret. */
    async create(input: NewWebhook): Promise<WebhookRecord> {
      const problems = [];
      const url = input.url.trim();
      const refused = sender ? await sender.refuse(url) : 'cannot be reached: webhooks are off on this node';
      if (refused) problems.push({ name: 'url', reason: refused });
      const events = [...new Set(input.events)];
      const unknown = events.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
      if (events.length === 0) problems.push({ name: 'events', reason: 'must name at least one event kind' });
      if (unknown.length > 0) problems.push({ name: 'events', reason: `unknown kinds ${unknown.join(', ')}; known: ${WEBHOOK_EVENTS.join(', ')}` });
      if (input.secret !== undefined && input.secret.length < 16) problems.push({ name: 'secret', reason: 'must be at least 16 characters' });
      if (problems.length > 0) throw invalid(problems);
      const hook: WebhookRecord = {
        id: randomUUID(),
        url,
        events,
        chatIds: input.chatIds === undefined ? null : [...new Set(input.chatIds)],
        secret: input.secret ?? randomBytes(32).toString('base64url'),
        createdAt: clock.now(),
      };
      await store.webhooks.insert(hook);
      cached = undefined;
      return hook;
    },
    list: () => store.webhooks.list(),
    get: find,
    async delete(id: string): Promise<void> {
      if (!(await store.webhooks.delete(id))) throw notFound('Webhook');
      cached = undefined;
    },
    async deliveries(id: string): Promise<DeliveryRecord[]> {
      await find(id);
      return store.webhooks.listDeliveries(id, DELIVERIES_LISTED);
    },

    /** Writes the deliveries of `event` through `repos` (the event's transaction). */
    async enqueue(repos: Repositories, event: ChatEvent): Promise<void> {
      if (event.kind === 'auxiliary') return;
      const hooks = (await current(repos)).filter((h) => wants(h, event));
      if (hooks.length === 0) return;
      const now = clock.now();
      const rows: NewDelivery[] = hooks.map((hook) => ({
        webhookId: hook.id,
        event: event.kind,
        payload: JSON.stringify({
          id: randomUUID(),
          event: event.kind,
          createdAt: iso(now),
          chatId: event.chatId || null,
          actor: event.source,
          data: dataOf(event),
        }),
        dueAt: now,
        createdAt: now,
      }));
      await repos.webhooks.enqueue(rows);
      // The worker looks once this tick's transaction has had time to commit; its poll covers the rest.
      setImmediate(onEnqueued);
    },

    /**
     * False only while this node's fresh list (at most CACHE_MS old) says there are no
     * webhooks: then an event enqueued no delivery here, and the worker need not look (its
     * poll still finds what other nodes wrote). True when unknown.
     */
    mayHaveDeliveries(): boolean {
      const now = clock.now();
      return !cached || cached.count === undefined || cached.count > 0 || now - cached.at > CACHE_MS || now < cached.at;
    },

    /** The worker's wake-up call (set by the worker). */
    onEnqueued(listener: () => void) {
      onEnqueued = listener;
    },
  };
}
