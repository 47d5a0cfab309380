/**
 * The one place where the message a route names becomes a stored row, and what "a message
 * the caller can see" means. Reactions, replies, pins, edit history and receipts all go
 * through here.
 */
import { notFound } from '../errors.js';
import type { MessageRecord, Store } from '../ports/store.js';
import { canonicalUuid } from './message-ids.js';

/**
 * The one resolver of a message a client names: its public id (the UUID of MessageInfo
 * `id`) within `chatId`, or 404 (also for a message of another chat). Integer row ids are
 * not accepted: clients only ever see the UUID. It checks no access: callers check
 * membership first (as every route does), so a stranger's guess is a 404 either way.
 */
export async function findMessageIn(store: Store, chatId: string, messageId: string): Promise<MessageRecord> {
  const message = await store.messages.findByUuid(canonicalUuid(messageId));
  if (!message || message.chatId !== chatId) throw notFound('Message');
  return message;
}

/**
 * A member sees a message unless it is deleted, or hidden (`isVisible: false`) by an author
 * other than them.
 */
export const canSee = (message: MessageRecord, viewerId: number) => message.deletedAt === null && (message.isVisible || message.authorId === viewerId);
