/**
 * Who gets a push, written to the durable outbox (`push_outbox`): a `message` goes to each
 * device session with a push token of the chat's members, except the author's, that has not
 * muted the chat and has no open socket; an `auxiliary` event whose realm is `push` or `all`
 * goes to the recipients' sessions the same way. Message rows are written in the send's own
 * transaction, so a push is never lost to a crash after the send answered. The worker
 * (`push-worker.ts`) delivers them.
 */
import type { Clock } from '../ports/clock.js';
import type { MessageView, Profile } from '../ports/events.js';
import type { PushSenders } from '../ports/push.js';
import type { NewPushRow, PushTarget, Repositories, Store } from '../ports/store.js';
import type { Presence } from './presence.service.js';

/** What the outbox row keeps of the event (the badge is counted at delivery). */
export interface PushContent {
  /** For `message`: its public id (the UUID of MessageInfo `id`); rows written before 0013 have none. */
  messageId?: string;
  authorName: string;
  body: string;
  name?: string;
  data?: unknown;
}

export type PushService = ReturnType<typeof createPushService>;

const PREVIEW_CHARS = 180;
const PUSH_REALMS = new Set(['push', 'all']);

/** The preview line of a message: its text cut to a notification's length, or what it carries. */
export function previewOf(message: MessageView, preview: 'full' | 'hidden'): string {
  if (preview === 'hidden') return 'New message';
  const text = message.message.text.trim();
  if (text === '') return message.attachments.length > 0 ? 'Attachment' : 'New message';
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
}

/** The push rules over `senders` (the configured transports); a no-op when there are none. */
export function createPushService(deps: { store: Store; clock: Clock; senders: PushSenders; presence: Presence; preview: 'full' | 'hidden' }) {
  const { store, clock, senders, presence, preview } = deps;
  const enabled = Object.keys(senders).length > 0;
  let onEnqueued: () => void = () => {};
  // Only transports this node can send: a row for another would wait for nothing.
  const sendable = (t: PushTarget) => senders[t.pushTransport as keyof PushSenders] !== undefined;

  const rowsFor = (targets: PushTarget[], base: Omit<NewPushRow, 'sessionId' | 'userId'>): NewPushRow[] =>
    targets.filter(sendable).map((t) => ({ ...base, sessionId: t.sessionId, userId: t.userId }));

  return {
    /** False when no transport is configured: the send path then skips push entirely. */
    enabled,

    /** The worker's wake-up call after rows were written (set by the worker). */
    onEnqueued(listener: () => void) {
      onEnqueued = listener;
    },
    /** Tells the worker that rows are waiting (after the transaction committed). */
    committed: () => onEnqueued(),

    /**
     * Writes the pushes of a new message inside the send's transaction `tx`. `targets` caches
     * each chat's targets within one batch of sends (one query per chat and batch).
     */
    async enqueueMessage(tx: Repositories, message: MessageView, targets: Map<string, PushTarget[]>): Promise<void> {
      if (!enabled) return;
      const { chatId, id, uuid, authorId, createdAt } = message.message;
      let inChat = targets.get(chatId);
      if (!inChat) targets.set(chatId, (inChat = await tx.push.offlineTargetsInChat(chatId, presence.onlineSince())));
      const content: PushContent = { messageId: uuid, authorName: message.author.displayName, body: previewOf(message, preview) };
      let rows = rowsFor(
        // A member notified of mentions only gets the messages that mention them.
        inChat.filter((t) => t.userId !== authorId && (!t.mentionsOnly || (message.mentions?.includes(t.userId) ?? false))),
        { chatId, messageId: id, kind: 'message', payload: JSON.stringify(content), dueAt: createdAt },
      );
      // Nobody is pushed a message of a user they blocked (asked only when some device is offline).
      if (rows.length > 0) {
        const blockers = new Set(await tx.userBlocks.blockersAmong(authorId, [...new Set(rows.map((r) => r.userId))]));
        if (blockers.size > 0) rows = rows.filter((r) => !blockers.has(r.userId));
      }
      await tx.push.enqueue(rows);
    },

    /** Writes the pushes of an `auxiliary` event whose realm asks for them (`push` or `all`). */
    async enqueueAuxiliary(
      chatId: string,
      actor: Profile,
      auxiliary: { name: string; text: string | null; realm: string; data: unknown },
      recipients: number[],
    ): Promise<void> {
      if (!enabled || !PUSH_REALMS.has(auxiliary.realm)) return;
      const others = recipients.filter((id) => id !== actor.id);
      // As with messages: nobody is pushed a notification of a user they blocked.
      const blockers = new Set(await store.userBlocks.blockersAmong(actor.id, others));
      const targets = await store.push.offlineTargetsOfUsers(
        chatId,
        others.filter((id) => !blockers.has(id)),
        presence.onlineSince(),
      );
      const body = preview === 'hidden' ? 'New notification' : (auxiliary.text ?? auxiliary.name);
      const content: PushContent = { authorName: actor.displayName, body, name: auxiliary.name, data: auxiliary.data };
      await store.push.enqueue(rowsFor(targets, { chatId, messageId: null, kind: 'auxiliary', payload: JSON.stringify(content), dueAt: clock.now() }));
      onEnqueued();
    },
  };
}
