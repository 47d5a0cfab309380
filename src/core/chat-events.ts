/**
 * Publishes chat events on the bus, always after the change is committed. Recipients are
 * user ids; delivering to their sockets (and pushes) is the realtime layer's business.
 */
import type { Bus } from '../ports/bus.js';
import type { ChatEventKind, ChatSettingsView, ChatView, MessageView } from '../ports/events.js';
import type { MemberRecord } from '../ports/store.js';
import { settingsOf } from './chat-views.js';

export type ChatEvents = ReturnType<typeof createChatEvents>;

const activeIds = (members: MemberRecord[]) => members.filter((m) => m.isMember).map((m) => m.userId);

export function createChatEvents(bus: Bus) {
  return {
    activeIds,

    message(kind: 'message' | 'messageUpdate' | 'messageRead', message: MessageView, recipients: number[], source: number) {
      return bus.publish('chat.event', { kind, chatId: message.message.chatId, source, recipients, message });
    },

    /** A chat-level change; each recipient later sees the chat with their own settings. */
    chat(kind: Extract<ChatEventKind, 'chatUpdate' | 'addedUsers' | 'removedUsers'>, chat: ChatView, members: MemberRecord[], recipients: number[], source: number | 'system') {
      const settingsByUser: Record<number, ChatSettingsView> = {};
      for (const member of members) if (recipients.includes(member.userId)) settingsByUser[member.userId] = settingsOf(member);
      return bus.publish('chat.event', { kind, chatId: chat.chat.id, source, recipients, chat, settingsByUser });
    },

    gone(kind: 'chatCleared' | 'chatDeleted', chatId: string, recipients: number[], source: number) {
      return bus.publish('chat.event', { kind, chatId, source, recipients });
    },

    auxiliary(chatId: string, auxiliary: { name: string; text: string | null; realm: string; data: unknown }, recipients: number[], source: number) {
      return bus.publish('chat.event', { kind: 'auxiliary', chatId, source, recipients, auxiliary });
    },
  };
}
