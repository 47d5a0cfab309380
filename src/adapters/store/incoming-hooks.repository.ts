import type { Kysely, Selectable } from 'kysely';
import type { IncomingHookRecord, IncomingHooksRepository } from '../../ports/store.js';
import type { Database, IncomingHooksTable } from './schema.js';

const toRecord = (row: Selectable<IncomingHooksTable>): IncomingHookRecord => ({
  id: row.id,
  chatId: row.chat_id,
  botId: Number(row.bot_id),
  tokenHash: row.token_hash,
  name: row.name,
  createdAt: Number(row.created_at),
});

/** Incoming webhooks over Kysely; `db` may be a transaction. */
export function createIncomingHooksRepository(db: Kysely<Database>): IncomingHooksRepository {
  return {
    async insert(h) {
      await db
        .insertInto('incoming_hooks')
        .values({ id: h.id, chat_id: h.chatId, bot_id: h.botId, token_hash: h.tokenHash, name: h.name, created_at: h.createdAt })
        .execute();
    },
    async findById(id) {
      const row = await db.selectFrom('incoming_hooks').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async findByTokenHash(tokenHash) {
      const row = await db.selectFrom('incoming_hooks').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row && toRecord(row);
    },
    async listByChat(chatId) {
      return (await db.selectFrom('incoming_hooks').selectAll().where('chat_id', '=', chatId).orderBy('created_at').orderBy('id').execute()).map(toRecord);
    },
    async delete(id) {
      const result = await db.deleteFrom('incoming_hooks').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
