/**
 * Message retention (issue 21): `MESSAGE_RETENTION_DAYS` for the server and a chat's own
 * `retentionDays` (never above the server's). A sweeper deletes older messages with their
 * uploads (rows, then files) and events, in bounded batches, on every store; it runs on an
 * unref'd timer on each node (any node may delete: the deletes are idempotent).
 */
import { forbidden, invalid } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { ChatRecord, MemberRecord, Store, UserRecord } from '../ports/store.js';
import { requireMembership } from './chat-access.js';
import { isModerator } from './chat-roles.js';
import { blobKeysOf } from './media-names.js';

const DAY_MS = 24 * 3600 * 1000;
const BATCH = 200;
/** At most this many batches a run; what is left waits for the next run. */
const MAX_BATCHES = 50;
/** How often each node sweeps. */
const SWEEP_INTERVAL_MS = 10 * 60_000;

/** A chat's retention as its members see it. */
export interface ChatRetention {
  /** The chat's own setting; null when it follows the server. */
  retentionDays: number | null;
  /** What applies: the chat's own, else the server's; null when messages are kept forever. */
  effectiveDays: number | null;
}

export type RetentionService = ReturnType<typeof createRetentionService>;

/** Who may set a chat's retention: its owner or an admin (the roles of chat-roles.ts). The one place of this rule. */
export function mayManageRetention(chat: ChatRecord, member: MemberRecord): boolean {
  return isModerator(chat, member);
}

export function createRetentionService(deps: { store: Store; blobs: BlobStore; clock: Clock; serverDays: number }) {
  const { store, blobs, clock, serverDays } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  const effective = (own: number | null) => own ?? (serverDays > 0 ? serverDays : null);

  /** Deletes the messages created before `cutoff` (of one chat when given); answers how many. */
  async function deleteBefore(cutoff: number, chatId: string | undefined, budget: { batches: number }): Promise<number> {
    let removed = 0;
    while (budget.batches > 0) {
      budget.batches--;
      const ids = await store.retention.messagesBefore(cutoff, BATCH, chatId);
      if (ids.length === 0) break;
      // Rows go first (store first), then their files: a file without a row is never served.
      const uploads = await store.transaction((tx) => tx.retention.deleteMessages(ids));
      await blobs.delete(uploads.flatMap(blobKeysOf));
      removed += ids.length;
      if (ids.length < BATCH) break;
    }
    return removed;
  }

  async function run(): Promise<number> {
    const now = clock.now();
    const budget = { batches: MAX_BATCHES };
    let removed = 0;
    // A chat's own retention is never longer than the server's, so the server's cutoff covers every chat.
    if (serverDays > 0) removed += await deleteBefore(now - serverDays * DAY_MS, undefined, budget);
    for (const { chatId, days } of await store.retention.chatsWithRetention()) {
      if (budget.batches <= 0) break;
      removed += await deleteBefore(now - days * DAY_MS, chatId, budget);
    }
    return removed;
  }

  /** Runs one sweep now (or joins the one running); resolves to the number of messages deleted. */
  function sweep(): Promise<number> {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    sweep,

    /** The chat's retention, for its members (404 for anyone else). */
    async chatRetention(actor: UserRecord, chatId: string): Promise<ChatRetention> {
      await requireMembership(store, chatId, actor.id);
      const own = await store.retention.chatRetention(chatId);
      return { retentionDays: own, effectiveDays: effective(own) };
    },

    /**
     * Sets (or with null clears) the chat's own retention: its owner or an admin only (403), a member's
     * chat (404), at most the server's (400).
     */
    async setChatRetention(actor: UserRecord, chatId: string, days: number | null): Promise<ChatRetention> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      if (!mayManageRetention(chat, member)) throw forbidden('Only the chat owner or an admin may set its retention.');
      if (days !== null && serverDays > 0 && days > serverDays) {
        throw invalid([{ name: 'retentionDays', reason: `must not exceed the server's retention of ${serverDays} days` }]);
      }
      await store.retention.setChatRetention(chat.id, days);
      return { retentionDays: days, effectiveDays: effective(days) };
    },

    /** Starts the periodic sweep (an unref'd timer); errors go to `onError` and the timer keeps going. */
    start(onError: (error: unknown) => void = () => {}) {
      if (timer) return;
      timer = setInterval(() => sweep().catch(onError), SWEEP_INTERVAL_MS);
      timer.unref();
      sweep().catch(onError);
    },

    /** Stops the timer and waits for a sweep in progress. */
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running?.catch(() => {});
    },
  };
}
