/**
 * Reactions (issue 19): a member adds or removes their reaction to a message of the chat;
 * both are idempotent, and each change is a `messageUpdate` event to the members.
 */
import { invalid } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { MessageView, Profile } from '../ports/events.js';
import type { Store } from '../ports/store.js';
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

/** Thrown inside the transaction when the reaction was already (or not) there, to roll it back. */
const UNCHANGED = new Error('unchanged');

export type ReactionsService = ReturnType<typeof createReactionsService>;

export function createReactionsService(deps: { store: Store; events: ChatEvents; clock: Clock }) {
  const { store, events, clock } = deps;

  /** Adds (`on`) or removes the caller's `emoji` on the message; publishes only a real change. */
  async function react(actor: Profile, chatId: string, messageId: string, emoji: string, on: boolean): Promise<MessageView> {
    const { chat, member } = await requireMembership(store, chatId, actor.id);
    const message = await findMessageIn(store, chat.id, messageId);
    if (!isReactionEmoji(emoji)) throw invalid([{ name: 'emoji', reason: `must be one emoji or a :shortcode: of at most ${SHORTCODE_MAX} characters` }]);
    if (on) {
      if (!canSee(message, actor.id)) throw invalid([{ name: 'messageId', reason: 'a deleted or hidden message takes no reactions' }]);
      if (member.isBlocked || member.hasBlockedChat) throw cannotPost('You cannot react in this chat.');
    }
    const now = clock.now();
    const changed = await store
      .transaction(async (tx) => {
        // Stamping the message first takes its row lock: concurrent reactions count distinct emoji one at a time.
        await tx.messages.update(message.id, { updatedAt: now });
        if (!on) {
          if (!(await tx.messageExtras.removeReaction(message.id, actor.id, emoji))) throw UNCHANGED;
          return true;
        }
        const used = await tx.messageExtras.reactionEmoji(message.id);
        if (!used.includes(emoji) && used.length >= MAX_REACTIONS) {
          throw invalid([{ name: 'emoji', reason: `a message takes at most ${MAX_REACTIONS} distinct reactions` }]);
        }
        // Already there: roll the stamp back, nothing changed.
        if (!(await tx.messageExtras.addReaction(message.id, actor.id, emoji, now))) throw UNCHANGED;
        return true;
      })
      .catch((error: unknown) => {
        if (error === UNCHANGED) return false;
        throw error;
      });
    const [view] = await buildMessageViews(store, chat.id, [changed ? { ...message, updatedAt: now } : message]);
    if (changed) await events.message('messageUpdate', view!, await store.chats.listMemberIds(chat.id), actor.id);
    return view!;
  }

  return {
    addReaction: (actor: Profile, chatId: string, messageId: string, emoji: string) => react(actor, chatId, messageId, emoji, true),
    removeReaction: (actor: Profile, chatId: string, messageId: string, emoji: string) => react(actor, chatId, messageId, emoji, false),
  };
}
