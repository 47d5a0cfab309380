import { type Kysely, sql } from 'kysely';
import type { MessageExtrasRepository, ReactionRecord } from '../../ports/message-extras.js';
import type { Database } from './schema.js';

const grouped = <K, V>(entries: Array<[K, V]>) => {
  const map = new Map<K, V[]>();
  for (const [key, value] of entries) {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }
  return map;
};

/** Reactions, edit history, pins, mentions and deliveries over Kysely; `db` may be a transaction. */
export function createMessageExtrasRepository(db: Kysely<Database>, kind: 'sqlite' | 'postgres' = 'sqlite'): MessageExtrasRepository {
  // Who used an emoji, in the order they did, as one text per emoji: a popular message's
  // hundreds of rows would each become an object (three times the cost, measured on SQLite).
  const usersInOrder = kind === 'postgres' ? sql<string>`string_agg(user_id::text, ',' order by id)` : sql<string>`group_concat(user_id, ',' order by id)`;
  return {
    async addReaction(messageId, userId, emoji, at) {
      const result = await db
        .insertInto('message_reactions')
        .values({ message_id: messageId, user_id: userId, emoji, created_at: at })
        .onConflict((oc) => oc.columns(['message_id', 'emoji', 'user_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async removeReaction(messageId, userId, emoji) {
      const result = await db
        .deleteFrom('message_reactions')
        .where('message_id', '=', messageId)
        .where('user_id', '=', userId)
        .where('emoji', '=', emoji)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async lockMessage(messageId) {
      if (kind === 'postgres') await db.selectFrom('messages').select('id').where('id', '=', messageId).forUpdate().execute();
    },
    async reactionEmoji(messageId) {
      const rows = await db.selectFrom('message_reactions').select('emoji').distinct().where('message_id', '=', messageId).execute();
      return rows.map((r) => r.emoji);
    },
    async reactionsOf(messageIds) {
      const out = new Map<number, ReactionRecord[]>();
      if (messageIds.length === 0) return out;
      const rows = await db
        .selectFrom('message_reactions')
        .select((eb) => ['message_id', 'emoji', usersInOrder.as('users'), eb.fn.min('id').as('first')])
        .where('message_id', 'in', messageIds)
        .groupBy(['message_id', 'emoji'])
        // An emoji's first row is its first use.
        .orderBy('first')
        .execute();
      for (const row of rows) {
        const id = Number(row.message_id);
        let list = out.get(id);
        if (!list) out.set(id, (list = []));
        list.push({ emoji: row.emoji, userIds: row.users.split(',').map(Number) });
      }
      return out;
    },

    async addEdit(messageId, edit) {
      await db.insertInto('message_edits').values({ message_id: messageId, text: edit.text, edited_at: edit.editedAt }).execute();
    },
    async editsOf(messageId) {
      const rows = await db.selectFrom('message_edits').select(['text', 'edited_at']).where('message_id', '=', messageId).orderBy('id', 'desc').execute();
      return rows.map((r) => ({ text: r.text, editedAt: Number(r.edited_at) }));
    },
    async deleteEdits(messageId) {
      await db.deleteFrom('message_edits').where('message_id', '=', messageId).execute();
    },

    async pin(chatId, messageId, userId, at) {
      const result = await db
        .insertInto('chat_pins')
        .values({ chat_id: chatId, message_id: messageId, pinned_by: userId, created_at: at })
        .onConflict((oc) => oc.columns(['chat_id', 'message_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async unpin(chatId, messageId) {
      const result = await db.deleteFrom('chat_pins').where('chat_id', '=', chatId).where('message_id', '=', messageId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async pinsOf(chatIds) {
      if (chatIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('chat_pins as p')
        .innerJoin('messages as m', 'm.id', 'p.message_id')
        .select(['p.chat_id', 'p.message_id', 'm.uuid'])
        .where('p.chat_id', 'in', chatIds)
        .orderBy('p.created_at')
        .orderBy('p.message_id')
        .execute();
      return grouped(rows.map((r) => [r.chat_id, { id: Number(r.message_id), uuid: r.uuid }]));
    },

    async addMentions(messageId, userIds, at) {
      if (userIds.length === 0) return;
      await db
        .insertInto('message_mentions')
        .values(userIds.map((userId) => ({ message_id: messageId, user_id: userId, created_at: at })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
    async mentionsOf(messageIds) {
      if (messageIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('message_mentions')
        .select(['message_id', 'user_id'])
        .where('message_id', 'in', messageIds)
        .orderBy('message_id')
        .orderBy('user_id')
        .execute();
      return grouped(rows.map((r) => [Number(r.message_id), Number(r.user_id)]));
    },
    async listMentioning(userId, beforeId, count) {
      let query = db.selectFrom('message_mentions').select('message_id').where('user_id', '=', userId);
      if (beforeId !== null) query = query.where('message_id', '<', beforeId);
      return (await query.orderBy('message_id', 'desc').limit(count).execute()).map((r) => Number(r.message_id));
    },

    async addDelivery(messageId, userId, at) {
      const result = await db
        .insertInto('message_deliveries')
        .values({ message_id: messageId, user_id: userId, created_at: at })
        .onConflict((oc) => oc.columns(['message_id', 'user_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async deliveriesOf(messageIds) {
      if (messageIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('message_deliveries')
        .select(['message_id', 'user_id'])
        .where('message_id', 'in', messageIds)
        .orderBy('created_at')
        .orderBy('user_id')
        .execute();
      return grouped(rows.map((r) => [Number(r.message_id), Number(r.user_id)]));
    },
  };
}
