import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { ContactRecord, ContactsRepository } from '../../ports/store.js';
import type { ContactsTable, Database } from './schema.js';

const toContact = (row: Selectable<ContactsTable>): ContactRecord => ({
  id: row.id,
  ownerId: Number(row.owner_id),
  userId: Number(row.user_id),
  name: row.name,
  isFavorite: Boolean(row.is_favorite),
  isBlocked: Boolean(row.is_blocked),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

/** Contacts over Kysely; `db` may be a transaction. */
export function createContactsRepository(db: Kysely<Database>): ContactsRepository {
  return {
    async upsert(c) {
      const row = await db
        .insertInto('contacts')
        .values({
          id: c.id || randomUUID(),
          owner_id: c.ownerId,
          user_id: c.userId,
          name: c.name,
          is_favorite: Number(c.isFavorite),
          is_blocked: Number(c.isBlocked),
          created_at: c.createdAt,
          updated_at: c.updatedAt,
        })
        .onConflict((oc) => oc.columns(['owner_id', 'user_id']).doUpdateSet({ name: c.name, is_favorite: Number(c.isFavorite), updated_at: c.updatedAt }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toContact(row);
    },
    async findById(id) {
      const row = await db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toContact(row);
    },
    async listByOwner(ownerId) {
      const rows = await db.selectFrom('contacts').selectAll().where('owner_id', '=', ownerId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toContact);
    },
    async delete(id) {
      const result = await db.deleteFrom('contacts').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
