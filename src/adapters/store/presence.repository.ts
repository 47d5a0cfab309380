import { sql, type Kysely } from 'kysely';
import type { PresenceRepository, PresenceSetting } from '../../ports/store.js';
import type { Database } from './schema.js';

const SETTINGS = new Set<string>(['online', 'away', 'dnd', 'invisible']);
const settingOf = (value: string | null): PresenceSetting => (value !== null && SETTINGS.has(value) ? (value as PresenceSetting) : 'online');
const users = (rows: { user_id: number | string | null }[]) => [...new Set(rows.flatMap((r) => (r.user_id === null ? [] : [Number(r.user_id)])))];

/** Socket presence and chosen statuses over Kysely. */
export function createPresenceRepository(db: Kysely<Database>): PresenceRepository {
  return {
    async addSocket(row) {
      await db
        .insertInto('socket_presence')
        .values({ id: row.id, session_id: row.sessionId, user_id: row.userId, node_id: row.nodeId, seen_at: row.seenAt })
        .execute();
    },
    async removeSocket(id) {
      await db.deleteFrom('socket_presence').where('id', '=', id).execute();
    },
    async setIdle(ids, idle) {
      if (ids.length === 0) return;
      await db
        .updateTable('socket_presence')
        .set({ idle: idle ? 1 : 0 })
        .where('id', 'in', ids)
        .execute();
    },
    async touchNode(nodeId, seenAt) {
      const result = await db.updateTable('socket_presence').set({ seen_at: seenAt }).where('node_id', '=', nodeId).executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async socketIdsOfNode(nodeId) {
      const rows = await db.selectFrom('socket_presence').select('id').where('node_id', '=', nodeId).execute();
      return rows.map((r) => r.id);
    },
    async clearNode(nodeId) {
      return users(await db.deleteFrom('socket_presence').where('node_id', '=', nodeId).returning('user_id').execute());
    },
    async reapStale(before) {
      return users(await db.deleteFrom('socket_presence').where('seen_at', '<', before).returning('user_id').execute());
    },
    async socketCounts(userIds, since) {
      if (userIds.length === 0) return [];
      const rows = await db
        .selectFrom('socket_presence')
        .select((eb) => [
          'user_id',
          eb.fn.countAll<number | string>().as('sockets'),
          eb.fn.sum<number | string>(eb.case().when('idle', '=', 0).then(1).else(0).end()).as('active'),
        ])
        .where('user_id', 'in', userIds)
        .where('seen_at', '>=', since)
        .groupBy('user_id')
        .execute();
      return rows.map((r) => ({ userId: Number(r.user_id), sockets: Number(r.sockets), active: Number(r.active ?? 0) }));
    },
    async settings(userIds) {
      if (userIds.length === 0) return [];
      const rows = await db.selectFrom('users').select(['id', 'presence_status', 'last_seen_at']).where('id', 'in', userIds).execute();
      return rows.map((r) => ({
        userId: Number(r.id),
        setting: settingOf(r.presence_status),
        lastSeenAt: r.last_seen_at === null ? null : Number(r.last_seen_at),
      }));
    },
    async setSetting(userId, setting) {
      const result = await db
        .updateTable('users')
        .set({ presence_status: setting === 'online' ? null : setting })
        .where('id', '=', userId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async audience(userId) {
      // Users `userId` blocked (account-wide) do not see them.
      const { rows } = await sql<{ user_id: number | string }>`
        select m2.user_id from chat_members m1 join chat_members m2 on m2.chat_id = m1.chat_id
        where m1.user_id = ${userId} and m1.is_member = 1 and m2.is_member = 1 and m2.user_id <> ${userId}
        union
        select owner_id as user_id from contacts where user_id = ${userId} and owner_id <> ${userId}`.execute(db);
      const blocked = await db.selectFrom('user_blocks').select('blocked_id').where('blocker_id', '=', userId).execute();
      const hidden = new Set(blocked.map((b) => Number(b.blocked_id)));
      return users(rows).filter((id) => !hidden.has(id));
    },
    async visibleTo(viewerId, userIds) {
      if (userIds.length === 0) return [];
      const ids = sql.join(userIds.map((id) => sql`${id}`));
      const { rows } = await sql<{ user_id: number | string }>`
        select m2.user_id from chat_members m1 join chat_members m2 on m2.chat_id = m1.chat_id
        where m1.user_id = ${viewerId} and m1.is_member = 1 and m2.is_member = 1 and m2.user_id in (${ids})
        union
        select user_id from contacts where owner_id = ${viewerId} and user_id in (${ids})`.execute(db);
      const seen = new Set(users(rows));
      // Those who blocked the viewer are not seen by them.
      const blockers = await db.selectFrom('user_blocks').select('blocker_id').where('blocked_id', '=', viewerId).where('blocker_id', 'in', userIds).execute();
      for (const b of blockers) seen.delete(Number(b.blocker_id));
      if (userIds.includes(viewerId)) seen.add(viewerId);
      return userIds.filter((id) => seen.has(id));
    },
  };
}
