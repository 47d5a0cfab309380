import type { Kysely, Selectable } from 'kysely';
import type { ApiKeyRecord, ApiKeysRepository } from '../../ports/store.js';
import type { ApiKeysTable, Database } from './schema.js';

const toRecord = (row: Selectable<ApiKeysTable>): ApiKeyRecord => ({
  id: row.id,
  userId: Number(row.user_id),
  sessionId: row.session_id,
  keyHash: row.key_hash,
  scopes: JSON.parse(row.scopes) as string[],
  createdAt: Number(row.created_at),
});

/** API keys over Kysely; `db` may be a transaction. */
export function createApiKeysRepository(db: Kysely<Database>): ApiKeysRepository {
  return {
    async insert(k) {
      await db
        .insertInto('api_keys')
        .values({ id: k.id, user_id: k.userId, session_id: k.sessionId, key_hash: k.keyHash, scopes: JSON.stringify(k.scopes), created_at: k.createdAt })
        .execute();
    },
    async findById(id) {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async listByUser(userId) {
      return (await db.selectFrom('api_keys').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute()).map(toRecord);
    },
    async delete(id) {
      const result = await db.deleteFrom('api_keys').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
