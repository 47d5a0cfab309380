/**
 * Reactions (issue 19): a member adds or removes their reaction to a message of the chat;
 * both are idempotent, and each change is a `messageUpdate` event to the members.
 */
import { invalid } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { ChatEvent, MessageView, Profile } from '../ports/events.js';
import type { MessageRecord, Repositories, Store } from '../ports/store.js';
import { createBatcher } from './batcher.js';
import { requireMembership } from './chat-access.js';
import type { ChatEvents } from './chat-events.js';
import { buildMessageViews } from './chat-views.js';
import { canSee, findMessageIn } from './message-lookup.js';
import { cannotPost } from './message-rules.js';

/** Distinct reactions one message may carry. */
export const MAX_REACTIONS = 20;
/** The longest `:shortcode:`, colons included. */
export const SHORTCODE_MAX = 32;

const SHORTCODE = /^:[A-Za-z0-9_+-]+:$/;
const PICTOGRAPHIC = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** One emoji (a single grapheme that is pictographic) or a `:shortcode:` of at most 32 characters. */
export function isReactionEmoji(value: string): boolean {
  if (value.startsWith(':')) return value.length <= SHORTCODE_MAX && SHORTCODE.test(value);
  const parts = [...graphemes.segment(value)];
  return parts.length === 1 && PICTOGRAPHIC.test(value);
}

/** One reaction change a caller asked for, checked and ready to write. */
interface ReactionJob {
  actor: Profile;
  chatId: string;
  message: MessageRecord;
  emoji: string;
  on: boolean;
  now: number;
}

/** What the batch did for one job: the message as it is now, and its event if it changed anything. */
type ReactionOutcome = { view: MessageView; event: ChatEvent | undefined } | { error: unknown };

export type ReactionsService = ReturnType<typeof createReactionsService>;

export function createReactionsService(deps: { store: Store; events: ChatEvents; clock: Clock }) {
  const { store, events, clock } = deps;

  /**
   * Writes the jobs of one message inside `tx`, in arrival order, under the message row's
   * lock (taken before any change, so concurrent batches and nodes count distinct emoji one
   * at a time and cannot deadlock on a reaction row), then stamps `updatedAt` once, reads the
   * message's view once and logs one `messageUpdate` event per real change, all in the same
   * transaction. A repeated add or remove writes nothing.
   */
  async function writeMessage(tx: Repositories, jobs: ReactionJob[], memberIds: (chatId: string) => Promise<number[]>): Promise<ReactionOutcome[]> {
    const { message, chatId } = jobs[0]!;
    await tx.messageExtras.lockMessage(message.id);
    const changed: boolean[] = [];
    const errors = new Map<number, unknown>();
    let used: string[] | undefined;
    for (const [i, job] of jobs.entries()) {
      if (!job.on) {
        changed.push(await tx.messageExtras.removeReaction(message.id, job.actor.id, job.emoji));
        if (changed[i]) used = undefined;
        continue;
      }
      used ??= await tx.messageExtras.reactionEmoji(message.id);
      if (!used.includes(job.emoji) && used.length >= MAX_REACTIONS) {
        errors.set(i, invalid([{ name: 'emoji', reason: `a message takes at most ${MAX_REACTIONS} distinct reactions` }]));
        changed.push(false);
        continue;
      }
      changed.push(await tx.messageExtras.addReaction(message.id, job.actor.id, job.emoji, job.now));
      if (changed[i] && !used.includes(job.emoji)) used.push(job.emoji);
    }
    const stamps = jobs.filter((_, i) => changed[i]).map((job) => job.now);
    if (stamps.length > 0) await tx.messages.update(message.id, { updatedAt: Math.max(...stamps) });
    const [current] = await tx.messages.findByIds([message.id]);
    const [view] = await buildMessageViews(tx, chatId, [current ?? message]);
    const recipients = stamps.length > 0 ? await memberIds(chatId) : [];
    const out: ReactionOutcome[] = [];
    for (const [i, job] of jobs.entries()) {
      if (errors.has(i)) out.push({ error: errors.get(i) });
      else if (!changed[i]) out.push({ view: view!, event: undefined });
      else out.push({ view: view!, event: await events.record(tx, { kind: 'messageUpdate', chatId, source: job.actor.id, recipients, message: view! }) });
    }
    return out;
  }

  /**
   * Concurrent reaction changes share one transaction (group commit, as sends do; see
   * batcher.ts), written message by message in message-id order (arrival order within a
   * message), so that batches of several nodes lock message rows in the same order.
   */
  async function writeBatch(jobs: ReactionJob[]): Promise<ReactionOutcome[]> {
    return store.transaction(async (tx) => {
      const members = new Map<string, Promise<number[]>>();
      const memberIds = (chatId: string) => {
        let ids = members.get(chatId);
        if (!ids) members.set(chatId, (ids = tx.chats.listMemberIds(chatId)));
        return ids;
      };
      const byMessage = new Map<number, number[]>();
      for (const [i, job] of jobs.entries()) {
        const list = byMessage.get(job.message.id);
        if (list) list.push(i);
        else byMessage.set(job.message.id, [i]);
      }
      const out = new Array<ReactionOutcome>(jobs.length);
      for (const id of [...byMessage.keys()].sort((a, b) => a - b)) {
        const indexes = byMessage.get(id)!;
        const outcomes = await writeMessage(
          tx,
          indexes.map((i) => jobs[i]!),
          memberIds,
        );
        for (const [k, i] of indexes.entries()) out[i] = outcomes[k]!;
      }
      return out;
    });
  }

  const batch = createBatcher<ReactionJob, ReactionOutcome>({
    runBatch: writeBatch,
    runOne: async (job) => (await writeBatch([job]))[0]!,
  });

  /** Adds (`on`) or removes the caller's `emoji` on the message; publishes only a real change. */
  async function react(actor: Profile, chatId: string, messageId: string, emoji: string, on: boolean): Promise<MessageView> {
    const { chat, member } = await requireMembership(store, chatId, actor.id);
    const message = await findMessageIn(store, chat.id, messageId);
    if (!isReactionEmoji(emoji)) throw invalid([{ name: 'emoji', reason: `must be one emoji or a :shortcode: of at most ${SHORTCODE_MAX} characters` }]);
    if (on) {
      if (!canSee(message, actor.id)) throw invalid([{ name: 'messageId', reason: 'a deleted or hidden message takes no reactions' }]);
      if (member.isBlocked || member.hasBlockedChat) throw cannotPost('You cannot react in this chat.');
    }
    const outcome = await batch.submit({ actor, chatId: chat.id, message, emoji, on, now: clock.now() });
    if ('error' in outcome) throw outcome.error;
    if (outcome.event) await events.publish(outcome.event);
    return outcome.view;
  }

  return {
    addReaction: (actor: Profile, chatId: string, messageId: string, emoji: string) => react(actor, chatId, messageId, emoji, true),
    removeReaction: (actor: Profile, chatId: string, messageId: string, emoji: string) => react(actor, chatId, messageId, emoji, false),
  };
}
