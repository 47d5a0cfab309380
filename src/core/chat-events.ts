/**
 * Records chat events in the event log and publishes them on the bus. `record` appends in
 * the caller's transaction (so a message and its event commit together, with the event's
 * webhook deliveries); `publish` runs
 * after the commit. `auxiliary` events are never stored and carry no cursor.
 */
import type { Bus } from '../ports/bus.js';
import type { Clock } from '../ports/clock.js';
import type { ChatEvent, ChatEventKind, ChatSettingsView, ChatView, MessageView, Profile } from '../ports/events.js';
import type { MemberRecord, Repositories, Store } from '../ports/store.js';
import { settingsOf } from './chat-views.js';
import type { WebhooksService } from './webhooks.service.js';

export type ChatEvents = ReturnType<typeof createChatEvents>;

/** Kinds always addressed to exactly the chat's current members. */
const FOR_MEMBERS: ReadonlySet<ChatEventKind> = new Set(['message', 'messageUpdate', 'messageRead', 'chatCleared']);

const activeIds = (members: MemberRecord[]) => members.filter((m) => m.isMember).map((m) => m.userId);

export function createChatEvents(deps: { store: Store; bus: Bus; clock: Clock; webhooks?: Pick<WebhooksService, 'enqueue'> }) {
  const { store, bus, clock, webhooks } = deps;

  /**
   * Appends `event` to the log through `repos` (a transaction, or the store) and returns it
   * with its cursor. Events that go to exactly the chat's current members are logged for the
   * members (one row, whatever the chat's size); the others list their recipients.
   */
  async function record(repos: Repositories, event: ChatEvent): Promise<ChatEvent> {
    if (event.kind === 'auxiliary') return event;
    // In the same transaction as the event: a webhook delivery is never lost, nor sent for a change rolled back.
    await webhooks?.enqueue(repos, event);
    if (event.recipients.length === 0) return event;
    const cursor = await repos.events.append(
      { payload: JSON.stringify(event), chatId: event.chatId || null, messageId: event.message?.message.id ?? null, createdAt: clock.now() },
      FOR_MEMBERS.has(event.kind) ? 'members' : event.recipients,
    );
    return { ...event, cursor };
  }

  const publish = (event: ChatEvent) => bus.publish('chat.event', event);
  const emit = async (event: ChatEvent) => publish(await record(store, event));

  return {
    activeIds,
    record,
    publish,

    message(kind: 'message' | 'messageUpdate' | 'messageRead', message: MessageView, recipients: number[], source: number) {
      return emit({ kind, chatId: message.message.chatId, source, recipients, message });
    },

    /** A chat-level change; each recipient later sees the chat with their own settings. */
    chat(
      kind: Extract<ChatEventKind, 'chatUpdate' | 'addedUsers' | 'removedUsers'>,
      chat: ChatView,
      members: MemberRecord[],
      recipients: number[],
      source: number | 'system',
    ) {
      const settingsByUser: Record<number, ChatSettingsView> = {};
      for (const member of members) if (recipients.includes(member.userId)) settingsByUser[member.userId] = settingsOf(member);
      return emit({ kind, chatId: chat.chat.id, source, recipients, chat, settingsByUser });
    },

    gone(kind: 'chatCleared' | 'chatDeleted', chatId: string, recipients: number[], source: number) {
      return emit({ kind, chatId, source, recipients });
    },

    /** Tells the author that a device of `userId` received the message. */
    delivered(chatId: string, messageId: string, userId: number, authorId: number) {
      return emit({ kind: 'messageDelivered', chatId, source: userId, recipients: [authorId], delivered: { messageId, userId } });
    },

    userUpdate(user: Profile, recipients: number[]) {
      return emit({ kind: 'userUpdate', chatId: '', source: user.id, recipients, user });
    },

    auxiliary(chatId: string, auxiliary: { name: string; text: string | null; realm: string; data: unknown }, recipients: number[], source: number) {
      return publish({ kind: 'auxiliary', chatId, source, recipients, auxiliary });
    },
  };
}
