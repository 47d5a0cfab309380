/**
 * The one place where the message a route names becomes a stored row, and what "a message
 * the caller can see" means. Reactions, replies, pins, edit history and receipts all go
 * through here.
 */
import { notFound } from '../errors.js';
import type { MessageRecord, Store } from '../ports/store.js';

/** The message `messageId` of chat `chatId`; 404 when it does not exist there. */
export async function findMessageIn(store: Store, chatId: string, messageId: number): Promise<MessageRecord> {
  const message = await store.messages.findById(messageId);
  if (!message || message.chatId !== chatId) throw notFound('Message');
  return message;
}

/**
 * A member sees a message unless it is deleted, or hidden (`isVisible: false`) by an author
 * other than them.
 */
export const canSee = (message: MessageRecord, viewerId: number) => message.deletedAt === null && (message.isVisible || message.authorId === viewerId);
