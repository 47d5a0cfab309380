/**
 * Store records of trust and safety, part A (issue 21): account-wide user blocks and group
 * bans. Part of the Store port (`store.ts` gathers them). Times are epoch milliseconds.
 */

export interface UserBlockRecord {
  blockerId: number;
  blockedId: number;
  createdAt: number;
}

export interface ChatBanRecord {
  chatId: string;
  userId: number;
  /** The owner or admin who banned them (null once that account is gone). */
  bannedBy: number | null;
  createdAt: number;
}

export interface UserBlocksRepository {
  /** Records the block; false when it existed already. */
  insert(block: UserBlockRecord): Promise<boolean>;
  /** False when there was no such block. */
  delete(blockerId: number, blockedId: number): Promise<boolean>;
  /** The users `blockerId` blocked, newest block first. */
  listByBlocker(blockerId: number): Promise<UserBlockRecord[]>;
  /** Of `userIds`, those who blocked `blockedId` (one query however many are asked). */
  blockersAmong(blockedId: number, userIds: number[]): Promise<number[]>;
  /** Of `userIds`, those `blockerId` blocked. */
  blockedAmong(blockerId: number, userIds: number[]): Promise<number[]>;
}

export interface ChatBansRepository {
  /** Records the ban; false when it existed already. */
  insert(ban: ChatBanRecord): Promise<boolean>;
  delete(chatId: string, userId: number): Promise<boolean>;
  /** The chat's bans, newest first. */
  listByChat(chatId: string): Promise<ChatBanRecord[]>;
  /** Of `userIds`, those banned from `chatId`. */
  bannedAmong(chatId: string, userIds: number[]): Promise<number[]>;
}
