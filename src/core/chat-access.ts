/** Who may see and act on a chat. A chat the caller is not in does not exist for them (404). */
import { forbidden, notFound } from '../errors.js';
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

/**
 * Refuses (403) a member the owner blocked in a group: besides posting, such a member may not
 * rename the chat, add or remove users, read the history or edit earlier messages (upstream
 * ChatServer's Tests/AppTests/ChatTests.swift, test_14, 20, 22, 24 and 32); deleting their own
 * messages and leaving stay allowed (test_35).
 */
export function refuseBlockedMember(member: MemberRecord, what: string): void {
  if (member.isBlocked) throw forbidden(`The chat owner has blocked you: you may not ${what} here.`);
}
