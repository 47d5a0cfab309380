import type { Kysely, Selectable } from 'kysely';
import type { MediaRecord, MediaRepository, MediaUse } from '../../ports/store.js';
import type { Database, MediaTable } from './schema.js';
import { asUniqueViolation } from './unique-violation.js';

const toRecord = (row: Selectable<MediaTable>): MediaRecord => ({
  id: row.id,
  ownerId: Number(row.owner_id),
  fileType: row.file_type,
  mime: row.mime,
  fileSize: Number(row.file_size),
  width: row.width,
  height: row.height,
  previewWidth: row.preview_width,
  previewHeight: row.preview_height,
  ready: Number(row.ready) === 1,
  attachedAs: row.attached_as as MediaUse | null,
  attachedAt: row.attached_at === null ? null : Number(row.attached_at),
  createdAt: Number(row.created_at),
});

/** Uploads over Kysely; `db` may be a transaction. */
export function createMediaRepository(db: Kysely<Database>): MediaRepository {
  return {
    async insert(m) {
      try {
        await db
          .insertInto('media')
          .values({
            id: m.id,
            owner_id: m.ownerId,
            file_type: m.fileType,
            mime: m.mime,
            file_size: m.fileSize,
            width: m.width,
            height: m.height,
            preview_width: m.previewWidth,
            preview_height: m.previewHeight,
            ready: m.ready ? 1 : 0,
            attached_as: m.attachedAs,
            attached_at: m.attachedAt,
            created_at: m.createdAt,
          })
          .execute();
      } catch (error) {
        throw asUniqueViolation(error, ['id']);
      }
    },
    async findById(id) {
      const row = await db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async complete(id, facts) {
      const result = await db
        .updateTable('media')
        .set({
          file_size: facts.fileSize,
          width: facts.width,
          height: facts.height,
          preview_width: facts.previewWidth,
          preview_height: facts.previewHeight,
          ready: 1,
        })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async attach(id, use, at) {
      // The `attached_as is null` condition makes attach and the unattached sweep exclusive.
      const result = await db
        .updateTable('media')
        .set({ attached_as: use, attached_at: at })
        .where('id', '=', id)
        .where('ready', '=', 1)
        .where('attached_as', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async listAttached(ownerIds, use) {
      if (ownerIds.length === 0) return [];
      const rows = await db
        .selectFrom('media')
        .selectAll()
        .where('owner_id', 'in', ownerIds)
        .where('attached_as', '=', use)
        .orderBy('attached_at', 'desc')
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map(toRecord);
    },
    async listByOwner(ownerId) {
      const rows = await db.selectFrom('media').selectAll().where('owner_id', '=', ownerId).orderBy('created_at').execute();
      return rows.map(toRecord);
    },
    async delete(id) {
      const result = await db.deleteFrom('media').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async deleteUnattached(before, limit) {
      const rows = await db
        .deleteFrom('media')
        .where('id', 'in', (qb) =>
          qb.selectFrom('media').select('id').where('attached_as', 'is', null).where('created_at', '<', before).orderBy('created_at').limit(limit),
        )
        // Checked again here: an upload attached since the select must survive.
        .where('attached_as', 'is', null)
        .returningAll()
        .execute();
      return rows.map(toRecord);
    },
  };
}
