/**
 * Pins (issue 19): members pin messages of a personal chat, the owner or an admin (issue 21) those of a group.
 * ChatInfo lists the pinned ids; each change is a `chatUpdate` event to the members.
 */
import { forbidden, invalid } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { ChatView, MessageView, Profile } from '../ports/events.js';
import type { Store } from '../ports/store.js';
import { requireMembership } from './chat-access.js';
import { isModerator } from './chat-roles.js';
import type { ChatEvents } from './chat-events.js';
import { buildChatView, buildMessageViews } from './chat-views.js';
import { canSee, findMessageIn } from './message-lookup.js';

/** Pinned messages one chat may hold. */
export const MAX_PINS = 50;

export type PinsService = ReturnType<typeof createPinsService>;

export function createPinsService(deps: { store: Store; events: ChatEvents; clock: Clock }) {
  const { store, events, clock } = deps;

  async function setPin(actor: Profile, chatId: string, messageId: string, on: boolean): Promise<ChatView> {
    const { chat, member } = await requireMembership(store, chatId, actor.id);
    const message = await findMessageIn(store, chat.id, messageId);
    if (!chat.isPersonal && !isModerator(chat, member)) throw forbidden('Only the chat owner or an admin may pin messages in a group.');
    let changed: boolean;
    if (on) {
      if (!canSee(message, actor.id)) throw invalid([{ name: 'messageId', reason: 'a deleted or hidden message cannot be pinned' }]);
      const pinned = (await store.messageExtras.pinsOf([chat.id])).get(chat.id) ?? [];
      if (!pinned.some((p) => p.id === message.id) && pinned.length >= MAX_PINS)
        throw invalid([{ name: 'messageId', reason: `a chat holds at most ${MAX_PINS} pins` }]);
      changed = await store.messageExtras.pin(chat.id, message.id, actor.id, clock.now());
    } else {
      changed = await store.messageExtras.unpin(chat.id, message.id);
    }
    const snapshot = await buildChatView(store, chat, member, { withMembers: true });
    if (changed) {
      const members = await store.chats.listMembers(chat.id, false);
      await events.chat('chatUpdate', snapshot, members, events.activeIds(members), actor.id);
    }
    return snapshot;
  }

  return {
    pin: (actor: Profile, chatId: string, messageId: string) => setPin(actor, chatId, messageId, true),
    unpin: (actor: Profile, chatId: string, messageId: string) => setPin(actor, chatId, messageId, false),

    /** The pinned messages, oldest pin first. */
    async listPins(actor: Profile, chatId: string): Promise<MessageView[]> {
      const { chat } = await requireMembership(store, chatId, actor.id);
      const ids = ((await store.messageExtras.pinsOf([chat.id])).get(chat.id) ?? []).map((p) => p.id);
      const byId = new Map((await store.messages.findByIds(ids)).map((m) => [m.id, m]));
      return buildMessageViews(
        store,
        chat.id,
        ids.map((id) => byId.get(id)).filter((m) => m !== undefined),
      );
    },
  };
}
