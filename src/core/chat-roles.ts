/**
 * Group roles (issue 21): `owner` (the chat's `ownerId`, one per group), `admin` (a member row's
 * `role`), and `member`. A moderator is the owner or an admin; a moderator acts only on users of
 * a lower rank (an admin may not remove, ban or block the owner or another admin). Every
 * permission check of the chats, messages and pins services that depends on a role is here.
 */
import { forbidden } from '../errors.js';
import type { ChatRecord, MemberRecord } from '../ports/store.js';

export type ChatRole = 'owner' | 'admin' | 'member';

const RANK: Record<ChatRole, number> = { owner: 2, admin: 1, member: 0 };

/** The role of `member` (or of a user without a row: `member`) in `chat`. */
export function roleOf(chat: ChatRecord, member: Pick<MemberRecord, 'userId' | 'role'> | undefined): ChatRole {
  if (!member) return 'member';
  if (chat.ownerId === member.userId) return 'owner';
  return member.role === 'admin' ? 'admin' : 'member';
}

export const isModerator = (chat: ChatRecord, member: MemberRecord | undefined) => roleOf(chat, member) !== 'member';

/** 403 unless the caller is the owner or an admin of the group. */
export function requireModerator(chat: ChatRecord, member: MemberRecord, what: string): void {
  if (!isModerator(chat, member)) throw forbidden(`Only the chat owner or an admin may ${what}.`);
}

/** 403 unless the caller is the owner. */
export function requireOwner(chat: ChatRecord, member: MemberRecord, what: string): void {
  if (roleOf(chat, member) !== 'owner') throw forbidden(`Only the chat owner may ${what}.`);
}

/** 403 unless the moderator `actor` outranks `target` (a user without a row counts as a member). */
export function requireOutranks(chat: ChatRecord, actor: MemberRecord, target: Pick<MemberRecord, 'userId' | 'role'> | undefined, what: string): void {
  if (RANK[roleOf(chat, actor)] <= RANK[roleOf(chat, target)]) throw forbidden(`You may not ${what} the owner or an admin.`);
}
