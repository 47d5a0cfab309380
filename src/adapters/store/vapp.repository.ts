/** The V-app's rows (migration 0014) over Kysely; `db` may be a transaction. */
import type { Kysely } from 'kysely';
import type { VappRepository } from '../../ports/vapp-records.js';
import type { Database } from './schema.js';
import { toUserRecord } from './users.repository.js';

export function createVappRepository(db: Kysely<Database>): VappRepository {
  return {
    async linkConversation(chatId, conversationId, at) {
      const result = await db
        .insertInto('vonage_conversations')
        .values({ chat_id: chatId, conversation_id: conversationId, created_at: at })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async findChatIdByConversation(conversationId) {
      const row = await db.selectFrom('vonage_conversations').select('chat_id').where('conversation_id', '=', conversationId).executeTakeFirst();
      return row?.chat_id;
    },
    async conversationsOf(chatIds) {
      if (chatIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('vonage_conversations')
        .select(['chat_id', 'conversation_id'])
        .where('chat_id', 'in', [...new Set(chatIds)])
        .execute();
      return new Map(rows.map((r) => [r.chat_id, r.conversation_id]));
    },
    async findUsers({ uids, vonageUserIds }) {
      if (uids.length === 0 && vonageUserIds.length === 0) return [];
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .where((eb) =>
          eb.or([
            ...(uids.length > 0 ? [eb('uid', 'in', [...new Set(uids)])] : []),
            ...(vonageUserIds.length > 0 ? [eb('vonage_user_id', 'in', [...new Set(vonageUserIds)])] : []),
          ]),
        )
        .execute();
      return rows.map(toUserRecord);
    },
    async setImageUrl(userId, url, at) {
      await db
        .insertInto('user_image_urls')
        .values({ user_id: userId, url, set_at: at })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ url, set_at: at }))
        .execute();
    },
    async imageUrlsOf(userIds) {
      if (userIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('user_image_urls')
        .select(['user_id', 'url', 'set_at'])
        .where('user_id', 'in', [...new Set(userIds)])
        .execute();
      return new Map(rows.map((r) => [Number(r.user_id), { url: r.url, setAt: Number(r.set_at) }]));
    },
  };
}
