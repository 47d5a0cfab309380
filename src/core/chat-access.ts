/** Who may see and act on a chat. A chat the caller is not in does not exist for them (404). */
import { notFound } from '../errors.js';
import type { ChatRecord, MemberRecord, Store } from '../ports/store.js';

export interface Membership {
  chat: ChatRecord;
  member: MemberRecord;
}

/** The chat and the caller's membership, or 404 when the chat is unknown or the caller is not a current member. */
export async function requireMembership(store: Store, chatId: string, userId: number): Promise<Membership> {
  const [chat, member] = await Promise.all([store.chats.findById(chatId), store.chats.findMember(chatId, userId)]);
  if (!chat || !member?.isMember) throw notFound('Chat');
  return { chat, member };
}

/** Like `requireMembership`, but also accepts a former member's row (unblocking a chat one left). */
export async function requireMemberRow(store: Store, chatId: string, userId: number): Promise<Membership> {
  const [chat, member] = await Promise.all([store.chats.findById(chatId), store.chats.findMember(chatId, userId)]);
  if (!chat || !member) throw notFound('Chat');
  return { chat, member };
}
