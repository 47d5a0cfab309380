/**
 * The trust-and-safety records over Kysely (audit log, reports, data exports, retention);
 * `db` may be a transaction. BIGINT columns come back as strings from PostgreSQL: numbers here.
 */
import type { Kysely, Selectable } from 'kysely';
import type {
  AuditRepository,
  ExportRecord,
  ExportsRepository,
  ReportAction,
  ReportReason,
  ReportRecord,
  ReportsRepository,
  ReportStatus,
  ReportTarget,
  RetentionRepository,
} from '../../ports/safety-records.js';
import { toChat, toMember } from './chats.repository.js';
import { toMessage } from './messages.repository.js';
import type { Database, DataExportsTable, ReportsTable } from './schema.js';

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));
const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export function createAuditRepository(db: Kysely<Database>): AuditRepository {
  return {
    async insert(entry) {
      const row = await db
        .insertInto('audit_log')
        .values({
          actor_id: entry.actorId,
          action: entry.action,
          target_type: entry.targetType,
          target_id: entry.targetId,
          chat_id: entry.chatId,
          details: entry.details === null ? null : JSON.stringify(entry.details),
          created_at: entry.createdAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { ...entry, id: Number(row.id) };
    },
    async newest({ before, limit }) {
      let query = db.selectFrom('audit_log').selectAll();
      if (before !== undefined) query = query.where('id', '<', before);
      const rows = await query.orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r) => ({
        id: Number(r.id),
        actorId: num(r.actor_id),
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        chatId: r.chat_id,
        details: json<Record<string, unknown>>(r.details),
        createdAt: Number(r.created_at),
      }));
    },
  };
}

const toReport = (r: Selectable<ReportsTable>): ReportRecord => ({
  id: Number(r.id),
  reporterId: num(r.reporter_id),
  targetType: r.target_type as ReportTarget,
  targetId: r.target_id,
  chatId: r.chat_id,
  messageId: num(r.message_id),
  reportedUserId: num(r.reported_user_id),
  reason: r.reason as ReportReason,
  text: r.text,
  evidence: json(r.evidence),
  status: r.status as ReportStatus,
  action: r.action as ReportAction | null,
  resolvedBy: num(r.resolved_by),
  resolvedAt: num(r.resolved_at),
  createdAt: Number(r.created_at),
});

export function createReportsRepository(db: Kysely<Database>): ReportsRepository {
  return {
    async insert(report) {
      const row = await db
        .insertInto('reports')
        .values({
          reporter_id: report.reporterId,
          target_type: report.targetType,
          target_id: report.targetId,
          chat_id: report.chatId,
          message_id: report.messageId,
          reported_user_id: report.reportedUserId,
          reason: report.reason,
          text: report.text,
          evidence: report.evidence === null ? null : JSON.stringify(report.evidence),
          status: report.status,
          action: report.action,
          resolved_by: report.resolvedBy,
          resolved_at: report.resolvedAt,
          created_at: report.createdAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { ...report, id: Number(row.id) };
    },
    async findById(id) {
      const row = await db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toReport(row);
    },
    async list({ status, before, limit }) {
      let query = db.selectFrom('reports').selectAll();
      if (status !== undefined) query = query.where('status', '=', status);
      if (before !== undefined) query = query.where('id', '<', before);
      return (await query.orderBy('id', 'desc').limit(limit).execute()).map(toReport);
    },
    async update(id, patch) {
      await db
        .updateTable('reports')
        .set({ status: patch.status, action: patch.action, resolved_by: patch.resolvedBy, resolved_at: patch.resolvedAt })
        .where('id', '=', id)
        .execute();
    },
    async countSince(reporterId, since) {
      const row = await db
        .selectFrom('reports')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('reporter_id', '=', reporterId)
        .where('created_at', '>=', since)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

const toExport = (r: Selectable<DataExportsTable>): ExportRecord => ({
  userId: Number(r.user_id),
  status: r.status as ExportRecord['status'],
  blobKey: r.blob_key,
  fileSize: num(r.file_size),
  startedAt: Number(r.started_at),
  leaseUntil: Number(r.lease_until),
  finishedAt: num(r.finished_at),
  expiresAt: num(r.expires_at),
});

export function createExportsRepository(db: Kysely<Database>): ExportsRepository {
  const values = (r: ExportRecord) => ({
    status: r.status,
    blob_key: r.blobKey,
    file_size: r.fileSize,
    started_at: r.startedAt,
    lease_until: r.leaseUntil,
    finished_at: r.finishedAt,
    expires_at: r.expiresAt,
  });
  return {
    async find(userId) {
      const row = await db.selectFrom('data_exports').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return row && toExport(row);
    },
    async begin(record, now) {
      // One statement decides between two nodes starting at once: the insert, or the update of a
      // row that is not running under a live lease; the other gets no row back.
      const previous = await db.selectFrom('data_exports').select('blob_key').where('user_id', '=', record.userId).executeTakeFirst();
      const row = await db
        .insertInto('data_exports')
        .values({ user_id: record.userId, ...values(record) })
        .onConflict((oc) =>
          oc
            .column('user_id')
            .doUpdateSet(values(record))
            .where((eb) => eb.or([eb('data_exports.status', '!=', 'running'), eb('data_exports.lease_until', '<=', now)])),
        )
        .returning('user_id')
        .executeTakeFirst();
      return { started: row !== undefined, replacedKey: row ? (previous?.blob_key ?? null) : null };
    },
    async finish(userId, patch) {
      const result = await db
        .updateTable('data_exports')
        .set({ status: patch.status, blob_key: patch.blobKey, file_size: patch.fileSize, finished_at: patch.finishedAt, expires_at: patch.expiresAt })
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async deleteExpired(now, limit) {
      const rows = await db.selectFrom('data_exports').selectAll().where('expires_at', '<=', now).limit(limit).execute();
      if (rows.length === 0) return [];
      await db
        .deleteFrom('data_exports')
        .where(
          'user_id',
          'in',
          rows.map((r) => r.user_id),
        )
        .where('expires_at', '<=', now)
        .execute();
      return rows.map(toExport);
    },
    async chatsOf(userId) {
      const members = await db.selectFrom('chat_members').selectAll().where('user_id', '=', userId).orderBy('added_at').execute();
      if (members.length === 0) return [];
      const chats = await db
        .selectFrom('chats')
        .selectAll()
        .where(
          'id',
          'in',
          members.map((m) => m.chat_id),
        )
        .execute();
      const byId = new Map(chats.map((c) => [c.id, toChat(c)]));
      return members.flatMap((m) => {
        const chat = byId.get(m.chat_id);
        return chat ? [{ chat, member: toMember(m) }] : [];
      });
    },
    async messagesBy(authorId, afterId, limit) {
      const rows = await db.selectFrom('messages').selectAll().where('author_id', '=', authorId).where('id', '>', afterId).orderBy('id').limit(limit).execute();
      return rows.map(toMessage);
    },
  };
}

export function createRetentionRepository(db: Kysely<Database>): RetentionRepository {
  return {
    async chatRetention(chatId) {
      const row = await db.selectFrom('chats').select('retention_days').where('id', '=', chatId).executeTakeFirst();
      return num(row?.retention_days ?? null);
    },
    async setChatRetention(chatId, days) {
      await db.updateTable('chats').set({ retention_days: days }).where('id', '=', chatId).execute();
    },
    async chatsWithRetention() {
      const rows = await db.selectFrom('chats').select(['id', 'retention_days']).where('retention_days', 'is not', null).execute();
      return rows.map((r) => ({ chatId: r.id, days: Number(r.retention_days) }));
    },
    async messagesBefore(before, limit, chatId) {
      let query = db.selectFrom('messages').select('id').where('created_at', '<', before);
      if (chatId !== undefined) query = query.where('chat_id', '=', chatId);
      return (await query.orderBy('created_at').orderBy('id').limit(limit).execute()).map((r) => Number(r.id));
    },
    async deleteMessages(messageIds) {
      if (messageIds.length === 0) return [];
      const media = await db
        .selectFrom('message_attachments')
        .innerJoin('media', 'media.id', 'message_attachments.media_id')
        .select(['media.id', 'media.file_type'])
        .where('message_attachments.message_id', 'in', messageIds)
        .execute();
      // Event recipients go with their events by cascade; reactions, pins, edits, mentions and
      // deliveries with their messages. Replies keep their place (their reference dangles, as after a delete).
      await db.deleteFrom('events').where('message_id', 'in', messageIds).execute();
      await db.deleteFrom('messages').where('id', 'in', messageIds).execute();
      if (media.length > 0)
        await db
          .deleteFrom('media')
          .where(
            'id',
            'in',
            media.map((m) => m.id),
          )
          .execute();
      return media.map((m) => ({ id: m.id, fileType: m.file_type }));
    },
  };
}
