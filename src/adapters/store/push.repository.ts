import { sql, type Kysely, type Selectable } from 'kysely';
import type { PushKind, PushRepository, PushTarget } from '../../ports/store.js';
import type { Database, PushOutboxTable } from './schema.js';

const toRow = (row: Selectable<PushOutboxTable>) => ({
  id: Number(row.id),
  sessionId: row.session_id,
  userId: Number(row.user_id),
  chatId: row.chat_id,
  messageId: row.message_id === null ? null : Number(row.message_id),
  kind: row.kind as PushKind,
  payload: row.payload,
  attempts: Number(row.attempts),
  dueAt: Number(row.due_at),
});

const toTarget = (row: { sessionId: string; userId: number | string; pushToken: string | null; pushTransport: string | null }): PushTarget => ({
  sessionId: row.sessionId,
  userId: Number(row.userId),
  pushToken: row.pushToken ?? '',
  pushTransport: row.pushTransport ?? '',
});

// Plain SQL that both engines read alike: the send path runs it once per chat and batch.
const TARGET_COLUMNS = sql`s.id as "sessionId", s.user_id as "userId", s.push_token as "pushToken", s.push_transport as "pushTransport"`;
const offline = (since: number) =>
  sql`s.push_token is not null and s.push_transport in ('apns', 'fcm', 'web')
      and not exists (select 1 from socket_presence p where p.session_id = s.id and p.seen_at >= ${since})`;

/** The push outbox over Kysely (online sessions are read from socket presence); `db` may be a transaction. */
export function createPushRepository(db: Kysely<Database>, kind: 'sqlite' | 'postgres'): PushRepository {
  type TargetRow = { sessionId: string; userId: number; pushToken: string | null; pushTransport: string | null; mentionsOnly?: unknown };
  return {
    async offlineTargetsInChat(chatId, onlineSince) {
      const { rows } =
        await sql<TargetRow>`select ${TARGET_COLUMNS}, m.notify as "mentionsOnly" from chat_members m join device_sessions s on s.user_id = m.user_id
        where m.chat_id = ${chatId} and m.is_member = 1 and m.is_muted = 0 and ${offline(onlineSince)}`.execute(db);
      return rows.map((row) => ({ ...toTarget(row), mentionsOnly: row.mentionsOnly === 'mentions' }));
    },
    async offlineTargetsOfUsers(chatId, userIds, onlineSince) {
      if (userIds.length === 0) return [];
      const { rows } = await sql<TargetRow>`select ${TARGET_COLUMNS} from chat_members m join device_sessions s on s.user_id = m.user_id
        where m.chat_id = ${chatId} and m.is_member = 1 and m.is_muted = 0 and m.user_id in (${sql.join(userIds)}) and ${offline(onlineSince)}`.execute(db);
      return rows.map(toTarget);
    },
    async enqueue(rows) {
      if (rows.length === 0) return;
      await db
        .insertInto('push_outbox')
        .values(
          rows.map((r) => ({
            session_id: r.sessionId,
            user_id: r.userId,
            chat_id: r.chatId,
            message_id: r.messageId,
            kind: r.kind,
            payload: r.payload,
            due_at: r.dueAt,
            created_at: r.dueAt,
          })),
        )
        .execute();
    },
    async claim(now, leaseUntil, limit) {
      const rows = await db
        .updateTable('push_outbox')
        .set({ lease_until: leaseUntil })
        .where('id', 'in', (eb) => {
          const due = eb
            .selectFrom('push_outbox')
            .select('id')
            .where('due_at', '<=', now)
            .where('lease_until', '<=', now)
            .orderBy('due_at')
            .orderBy('id')
            .limit(limit);
          // Nodes claiming at once each take different rows rather than waiting on each other.
          return kind === 'postgres' ? due.forUpdate().skipLocked() : due;
        })
        .returningAll()
        .execute();
      return rows.map(toRow).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
    },
    async targets(sessionIds) {
      if (sessionIds.length === 0) return [];
      const rows = await db
        .selectFrom('device_sessions as s')
        .select(['s.id as sessionId', 's.user_id as userId', 's.push_token as pushToken', 's.push_transport as pushTransport'])
        .where('s.id', 'in', sessionIds)
        .where('s.push_token', 'is not', null)
        .execute();
      return rows.map(toTarget);
    },
    async onlineSessions(sessionIds, onlineSince) {
      if (sessionIds.length === 0) return new Set();
      const rows = await db
        .selectFrom('socket_presence')
        .select('session_id')
        .where('session_id', 'in', sessionIds)
        .where('seen_at', '>=', onlineSince)
        .execute();
      return new Set(rows.map((r) => r.session_id));
    },
    async unreadCount(userId) {
      const row = await db
        .selectFrom('chat_members as m')
        .innerJoin('chats as c', 'c.id', 'm.chat_id')
        .select(sql<number | string | null>`sum(case when c.last_seq > m.last_read_seq then c.last_seq - m.last_read_seq else 0 end)`.as('unread'))
        .where('m.user_id', '=', userId)
        .where('m.is_member', '=', 1)
        .executeTakeFirst();
      return Number(row?.unread ?? 0);
    },
    async delete(id) {
      await db.deleteFrom('push_outbox').where('id', '=', id).execute();
    },
    async reschedule(id, attempts, dueAt) {
      await db.updateTable('push_outbox').set({ attempts, due_at: dueAt, lease_until: 0 }).where('id', '=', id).execute();
    },
    async deleteForMessage(messageId) {
      await db.deleteFrom('push_outbox').where('message_id', '=', messageId).execute();
    },
    async clearToken(sessionId, token) {
      const result = await db
        .updateTable('device_sessions')
        .set({ push_token: null })
        .where('id', '=', sessionId)
        .where('push_token', '=', token)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async pending() {
      const row = await db
        .selectFrom('push_outbox')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
  };
}
