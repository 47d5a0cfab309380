import type { Kysely, Selectable } from 'kysely';
import type { MessageRecord, MessagesRepository, ThreadSummary } from '../../ports/store.js';
import type { Database, MessagesTable } from './schema.js';
import { asUniqueViolation } from './unique-violation.js';

const flag = (value: number | null) => (value === null ? null : Boolean(value));
const toFlag = (value: boolean | null) => (value === null ? null : Number(value));

/**
 * A messages row as the store's record. Numbers are coerced: PostgreSQL may hand int8 back as
 * strings to a raw query. Also used by the search adapters, which select the same columns.
 */
export const toMessage = (row: Selectable<MessagesTable>): MessageRecord => ({
  id: Number(row.id),
  uuid: row.uuid,
  chatId: row.chat_id,
  seq: Number(row.seq),
  authorId: Number(row.author_id),
  localId: row.local_id,
  text: row.text,
  isVisible: Boolean(row.is_visible),
  fileExists: flag(row.file_exists),
  previewExists: flag(row.preview_exists),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
  editedAt: row.edited_at === null ? null : Number(row.edited_at),
  deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
  replyToId: row.reply_to_id == null ? null : Number(row.reply_to_id),
  threadId: row.thread_id == null ? null : Number(row.thread_id),
  // Absent from rows selected without it (a search adapter's own column list).
  hasThread: row.has_thread == null ? undefined : Boolean(Number(row.has_thread)),
  deletedBy: row.deleted_by == null ? null : Number(row.deleted_by),
});

/** Messages and read marks over Kysely; `db` may be a transaction. */
export function createMessagesRepository(db: Kysely<Database>): MessagesRepository {
  return {
    async insert(m) {
      try {
        const row = await db
          .insertInto('messages')
          .values({
            uuid: m.uuid,
            chat_id: m.chatId,
            seq: m.seq,
            author_id: m.authorId,
            local_id: m.localId,
            text: m.text,
            is_visible: Number(m.isVisible),
            file_exists: toFlag(m.fileExists),
            preview_exists: toFlag(m.previewExists),
            created_at: m.createdAt,
            updated_at: m.updatedAt,
            edited_at: m.editedAt,
            deleted_at: m.deletedAt,
            reply_to_id: m.replyToId ?? null,
            thread_id: m.threadId ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toMessage(row);
      } catch (error) {
        throw asUniqueViolation(error, ['local_id', 'seq', 'uuid']);
      }
    },
    async findById(id) {
      const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toMessage(row);
    },
    async findByIds(ids) {
      if (ids.length === 0) return [];
      return (await db.selectFrom('messages').selectAll().where('id', 'in', ids).execute()).map(toMessage);
    },
    async findByUuid(uuid) {
      const row = await db.selectFrom('messages').selectAll().where('uuid', '=', uuid).executeTakeFirst();
      return row && toMessage(row);
    },
    async findByLocalId(authorId, localId) {
      const row = await db.selectFrom('messages').selectAll().where('author_id', '=', authorId).where('local_id', '=', localId).executeTakeFirst();
      return row && toMessage(row);
    },
    async listBefore(chatId, beforeSeq, count) {
      let query = db.selectFrom('messages').selectAll().where('chat_id', '=', chatId).where('thread_id', 'is', null);
      if (beforeSeq !== null) query = query.where('seq', '<', beforeSeq);
      return (await query.orderBy('seq', 'desc').limit(count).execute()).map(toMessage);
    },
    async listAfter(chatId, afterSeq, count) {
      const rows = await db
        .selectFrom('messages')
        .selectAll()
        .where('chat_id', '=', chatId)
        .where('thread_id', 'is', null)
        .where('seq', '>', afterSeq)
        .orderBy('seq', 'asc')
        .limit(count)
        .execute();
      return rows.map(toMessage);
    },
    async markThread(rootId) {
      await db.updateTable('messages').set({ has_thread: 1 }).where('id', '=', rootId).where('has_thread', '=', 0).execute();
    },
    async listThread(rootId, beforeSeq, count) {
      let query = db.selectFrom('messages').selectAll().where('thread_id', '=', rootId);
      if (beforeSeq !== null) query = query.where('seq', '<', beforeSeq);
      return (await query.orderBy('seq', 'desc').limit(count).execute()).map(toMessage);
    },
    async threadSummaries(rootIds) {
      const out = new Map<number, ThreadSummary>();
      if (rootIds.length === 0) return out;
      // One row per (root, author) through the partial index on thread_id: a page of roots costs one query.
      const rows = await db
        .selectFrom('messages')
        .select(({ fn }) => ['thread_id', 'author_id', fn.countAll<number>().as('n'), fn.max('created_at').as('last'), fn.min('seq').as('first')])
        .where('thread_id', 'in', rootIds)
        .where('deleted_at', 'is', null)
        .groupBy(['thread_id', 'author_id'])
        .execute();
      const byRoot = new Map<number, Array<{ author: number; n: number; last: number; first: number }>>();
      for (const row of rows) {
        const root = Number(row.thread_id);
        const entry = { author: Number(row.author_id), n: Number(row.n), last: Number(row.last), first: Number(row.first) };
        const list = byRoot.get(root);
        if (list) list.push(entry);
        else byRoot.set(root, [entry]);
      }
      for (const [root, list] of byRoot) {
        list.sort((x, y) => x.first - y.first);
        out.set(root, {
          count: list.reduce((sum, e) => sum + e.n, 0),
          lastReplyAt: Math.max(...list.map((e) => e.last)),
          participants: list.map((e) => e.author),
        });
      }
      return out;
    },
    async latestOf(chatIds) {
      const latest = new Map<string, MessageRecord>();
      if (chatIds.length === 0) return latest;
      // The newest message of a chat is the one with the highest seq still present.
      const rows = await db
        .selectFrom('messages as m')
        .selectAll('m')
        .where('m.chat_id', 'in', chatIds)
        .where(({ eb, selectFrom }) =>
          eb(
            'm.seq',
            '=',
            selectFrom('messages as n')
              .select(({ fn }) => fn.max('n.seq').as('s'))
              .whereRef('n.chat_id', '=', 'm.chat_id')
              .where('n.thread_id', 'is', null),
          ),
        )
        .execute();
      for (const row of rows) latest.set(row.chat_id, toMessage(row));
      return latest;
    },
    async countUnread(chatId, userId, afterSeq) {
      const row = await db
        .selectFrom('messages')
        .select(({ fn }) => fn.countAll<number>().as('n'))
        .where('chat_id', '=', chatId)
        .where('seq', '>', afterSeq)
        .where('author_id', '!=', userId)
        .where('deleted_at', 'is', null)
        .where('thread_id', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async update(id, patch) {
      const values: Partial<Selectable<MessagesTable>> = {};
      if (patch.text !== undefined) values.text = patch.text;
      if (patch.isVisible !== undefined) values.is_visible = Number(patch.isVisible);
      if (patch.fileExists !== undefined) values.file_exists = toFlag(patch.fileExists);
      if (patch.previewExists !== undefined) values.preview_exists = toFlag(patch.previewExists);
      if (patch.updatedAt !== undefined) values.updated_at = patch.updatedAt;
      if (patch.editedAt !== undefined) values.edited_at = patch.editedAt;
      if (patch.deletedAt !== undefined) values.deleted_at = patch.deletedAt;
      if (patch.deletedBy !== undefined) values.deleted_by = patch.deletedBy;
      if (Object.keys(values).length > 0) await db.updateTable('messages').set(values).where('id', '=', id).execute();
    },
    async clearChat(chatId) {
      await db.deleteFrom('read_marks').where('chat_id', '=', chatId).execute();
      await db.deleteFrom('messages').where('chat_id', '=', chatId).execute();
    },
    async insertReadMark(mark) {
      await db
        .insertInto('read_marks')
        .values({ id: mark.id, chat_id: mark.chatId, user_id: mark.userId, seq: mark.seq, created_at: mark.createdAt })
        .execute();
    },
    async readMarksCovering(chatId, minSeq, maxSeq) {
      const inside = await db
        .selectFrom('read_marks')
        .selectAll()
        .where('chat_id', '=', chatId)
        .where('seq', '>=', minSeq)
        .where('seq', '<=', maxSeq)
        .execute();
      const beyond = await db
        .selectFrom('read_marks as r')
        .selectAll('r')
        .where('r.chat_id', '=', chatId)
        .where(({ eb, selectFrom }) =>
          eb(
            'r.seq',
            '=',
            selectFrom('read_marks as s')
              .select(({ fn }) => fn.min('s.seq').as('m'))
              .whereRef('s.chat_id', '=', 'r.chat_id')
              .whereRef('s.user_id', '=', 'r.user_id')
              .where('s.seq', '>', maxSeq),
          ),
        )
        .execute();
      return [...inside, ...beyond]
        .map((r) => ({ id: r.id, chatId: r.chat_id, userId: Number(r.user_id), seq: Number(r.seq), createdAt: Number(r.created_at) }))
        .sort((a, b) => a.seq - b.seq || a.createdAt - b.createdAt);
    },
  };
}
