import type { Kysely } from 'kysely';
import type { ChatBansRepository, UserBlocksRepository } from '../../ports/store.js';
import type { Database } from './schema.js';

/** Account-wide user blocks over Kysely; `db` may be a transaction. */
export function createUserBlocksRepository(db: Kysely<Database>): UserBlocksRepository {
  return {
    async insert(b) {
      const result = await db
        .insertInto('user_blocks')
        .values({ blocker_id: b.blockerId, blocked_id: b.blockedId, created_at: b.createdAt })
        .onConflict((oc) => oc.columns(['blocker_id', 'blocked_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async delete(blockerId, blockedId) {
      const result = await db.deleteFrom('user_blocks').where('blocker_id', '=', blockerId).where('blocked_id', '=', blockedId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async listByBlocker(blockerId) {
      const rows = await db
        .selectFrom('user_blocks')
        .selectAll()
        .where('blocker_id', '=', blockerId)
        .orderBy('created_at', 'desc')
        .orderBy('blocked_id')
        .execute();
      return rows.map((r) => ({ blockerId: Number(r.blocker_id), blockedId: Number(r.blocked_id), createdAt: Number(r.created_at) }));
    },
    async blockersAmong(blockedId, userIds) {
      if (userIds.length === 0) return [];
      const rows = await db.selectFrom('user_blocks').select('blocker_id').where('blocked_id', '=', blockedId).where('blocker_id', 'in', userIds).execute();
      return rows.map((r) => Number(r.blocker_id));
    },
    async blockedAmong(blockerId, userIds) {
      if (userIds.length === 0) return [];
      const rows = await db.selectFrom('user_blocks').select('blocked_id').where('blocker_id', '=', blockerId).where('blocked_id', 'in', userIds).execute();
      return rows.map((r) => Number(r.blocked_id));
    },
  };
}

/** Group bans over Kysely; `db` may be a transaction. */
export function createChatBansRepository(db: Kysely<Database>): ChatBansRepository {
  return {
    async insert(b) {
      const result = await db
        .insertInto('chat_bans')
        .values({ chat_id: b.chatId, user_id: b.userId, banned_by: b.bannedBy, created_at: b.createdAt })
        .onConflict((oc) => oc.columns(['chat_id', 'user_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async delete(chatId, userId) {
      const result = await db.deleteFrom('chat_bans').where('chat_id', '=', chatId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async listByChat(chatId) {
      const rows = await db.selectFrom('chat_bans').selectAll().where('chat_id', '=', chatId).orderBy('created_at', 'desc').orderBy('user_id').execute();
      return rows.map((r) => ({
        chatId: r.chat_id,
        userId: Number(r.user_id),
        bannedBy: r.banned_by === null ? null : Number(r.banned_by),
        createdAt: Number(r.created_at),
      }));
    },
    async bannedAmong(chatId, userIds) {
      if (userIds.length === 0) return [];
      const rows = await db.selectFrom('chat_bans').select('user_id').where('chat_id', '=', chatId).where('user_id', 'in', userIds).execute();
      return rows.map((r) => Number(r.user_id));
    },
  };
}
