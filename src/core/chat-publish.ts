/** Telling a chat's members (and whoever else a change concerns) about a chat-level change. */
import type { ChatView } from '../ports/events.js';
import type { ChatRecord, Store } from '../ports/store.js';
import type { ChatEvents } from './chat-events.js';
import { buildChatView } from './chat-views.js';

/**
 * Publishes `kind` about `chat` to its current members plus `extraRecipients` (users just
 * removed), and returns the chat as `actorId` sees it.
 */
export async function publishChatChange(
  deps: { store: Store; events: ChatEvents },
  kind: 'chatUpdate' | 'addedUsers' | 'removedUsers',
  chat: ChatRecord,
  actorId: number,
  extraRecipients: number[] = [],
  extra: { addedUsers?: number[]; removedUsers?: number[] } = {},
): Promise<ChatView> {
  const { store, events } = deps;
  const members = await store.chats.listMembers(chat.id, false);
  const recipients = [...new Set([...events.activeIds(members), ...extraRecipients])];
  const actor = members.find((m) => m.userId === actorId);
  const snapshot = await buildChatView(store, chat, actor, { withMembers: true, ...extra });
  await events.chat(kind, snapshot, members, recipients, actorId);
  return snapshot;
}
