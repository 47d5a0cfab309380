import type { Kysely, Selectable } from 'kysely';
import type { MediaRecord, MediaRepository, MediaUse } from '../../ports/store.js';
import type { Database, MediaTable } from './schema.js';
import { compileOnce } from './compiled-query.js';
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
  // One owner's photos: every GET /users/me and every presented user.
  const attachedToOne = compileOnce(
    db,
    (q, ownerId: number, use: MediaUse) =>
      q
        .selectFrom('media')
        .selectAll()
        .where('owner_id', '=', ownerId)
        .where('attached_as', '=', use)
        .orderBy('attached_at', 'desc')
        .orderBy('created_at', 'desc')
        .orderBy('id'),
    [-1, 'sample-use' as MediaUse],
  );
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
            upload_lease_until: m.uploadLeaseUntil ?? null,
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
    async complete(id, facts, type) {
      const result = await db
        .updateTable('media')
        .set({
          ...(type ? { file_type: type.fileType, mime: type.mime } : {}),
          uploading: 0,
          upload_lease_until: null,
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
    async claimPlaceholder(id, ownerId, leaseUntil) {
      const result = await db
        .updateTable('media')
        .set({ uploading: 1, upload_lease_until: leaseUntil ?? null })
        .where('id', '=', id)
        .where('owner_id', '=', ownerId)
        .where('ready', '=', 0)
        .where('uploading', '=', 0)
        .where('attached_as', '=', 'attachment')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async releasePlaceholder(id) {
      await db.updateTable('media').set({ uploading: 0, upload_lease_until: null }).where('id', '=', id).execute();
    },
    async renewUploads(ids, until) {
      if (ids.length === 0) return;
      await db.updateTable('media').set({ upload_lease_until: until }).where('id', 'in', ids).where('ready', '=', 0).execute();
    },
    async takeInterrupted(now, limit) {
      const removed = await db
        .deleteFrom('media')
        .where('id', 'in', (qb) =>
          qb.selectFrom('media').select('id').where('attached_as', 'is', null).where('ready', '=', 0).where('upload_lease_until', '<', now).limit(limit),
        )
        // Checked again: an upload that completed or renewed since the select survives.
        .where('ready', '=', 0)
        .where('upload_lease_until', '<', now)
        .returningAll()
        .execute();
      const released = await db
        .updateTable('media')
        .set({ uploading: 0, upload_lease_until: null })
        .where('attached_as', '=', 'attachment')
        .where('uploading', '=', 1)
        .where('ready', '=', 0)
        .where('upload_lease_until', '<', now)
        .returningAll()
        .execute();
      return [...removed, ...released].map(toRecord);
    },
    async deleteMany(ids) {
      if (ids.length > 0) await db.deleteFrom('media').where('id', 'in', ids).execute();
    },
    async linkChatImage(chatId, mediaId, at) {
      await db
        .insertInto('chat_images')
        .values({ chat_id: chatId, media_id: mediaId, created_at: at })
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
    async chatImagesOf(chatIds) {
      const byChat = new Map<string, MediaRecord[]>(chatIds.map((id) => [id, []]));
      if (chatIds.length === 0) return byChat;
      const rows = await db
        .selectFrom('chat_images as c')
        .innerJoin('media as m', 'm.id', 'c.media_id')
        .selectAll('m')
        .select('c.chat_id')
        .where('c.chat_id', 'in', chatIds)
        .orderBy('c.created_at', 'desc')
        .orderBy('m.id')
        .execute();
      for (const row of rows) byChat.get(row.chat_id)?.push(toRecord(row));
      return byChat;
    },
    async linkAttachments(messageId, mediaIds) {
      if (mediaIds.length === 0) return;
      await db
        .insertInto('message_attachments')
        .values(mediaIds.map((mediaId, position) => ({ message_id: messageId, media_id: mediaId, position })))
        .execute();
    },
    async attachmentsOf(messageIds) {
      const byMessage = new Map<number, MediaRecord[]>();
      if (messageIds.length === 0) return byMessage;
      const rows = await db
        .selectFrom('message_attachments as a')
        .innerJoin('media as m', 'm.id', 'a.media_id')
        .selectAll('m')
        .select('a.message_id')
        .where('a.message_id', 'in', messageIds)
        .orderBy('a.position')
        .execute();
      for (const row of rows) {
        const id = Number(row.message_id);
        const list = byMessage.get(id);
        if (list) list.push(toRecord(row));
        else byMessage.set(id, [toRecord(row)]);
      }
      return byMessage;
    },
    async linkedToChats(chatIds, include) {
      if (chatIds.length === 0) return [];
      const images = include.images
        ? await db.selectFrom('chat_images as c').innerJoin('media as m', 'm.id', 'c.media_id').selectAll('m').where('c.chat_id', 'in', chatIds).execute()
        : [];
      const attachments = await db
        .selectFrom('message_attachments as a')
        .innerJoin('messages as msg', 'msg.id', 'a.message_id')
        .innerJoin('media as m', 'm.id', 'a.media_id')
        .selectAll('m')
        .where('msg.chat_id', 'in', chatIds)
        .execute();
      return [...images, ...attachments].map(toRecord);
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
      if (ownerIds.length === 1) return (await attachedToOne(ownerIds[0]!, use)).map(toRecord);
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
