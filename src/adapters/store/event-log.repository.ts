import type { Kysely } from 'kysely';
import type { EventLogRepository, SettingsRepository } from '../../ports/store.js';
import { insertFencedEvent, stableThrough } from './event-order.postgres.js';
import type { Database } from './schema.js';

/**
 * The event log over Kysely. On SQLite one connection writes, so ids become visible in the
 * order they are assigned. On PostgreSQL many writers run at once and an id may commit after
 * a higher one: appends take a shared fence and replay reads only below the watermark
 * (event-order.postgres.ts), so a reader that saw event n never later finds an n-1 behind it.
 */
export function createEventLogRepository(db: Kysely<Database>, kind: 'sqlite' | 'postgres'): EventLogRepository {
  const latestId = async () => {
    const row = await db
      .selectFrom('events')
      .select(({ fn }) => fn.max('id').as('id'))
      .executeTakeFirst();
    return Number(row?.id ?? 0);
  };
  return {
    async append(entry, audience) {
      const forMembers = audience === 'members';
      const row = { payload: entry.payload, chat_id: entry.chatId, message_id: entry.messageId, for_members: Number(forMembers), created_at: entry.createdAt };
      const eventId =
        kind === 'postgres'
          ? await insertFencedEvent(db, row)
          : Number((await db.insertInto('events').values(row).returning('id').executeTakeFirstOrThrow()).id);
      const unique = forMembers ? [] : [...new Set(audience)];
      if (unique.length > 0)
        await db
          .insertInto('event_recipients')
          .values(unique.map((userId) => ({ user_id: userId, event_id: eventId })))
          .execute();
      return eventId;
    },
    async listSince(userId, since, limit, through = Number.MAX_SAFE_INTEGER) {
      // Two indexed reads, merged: events naming the user, and member events of the user's chats.
      const [listed, asMember] = await Promise.all([
        db
          .selectFrom('event_recipients as r')
          .innerJoin('events as e', 'e.id', 'r.event_id')
          .select(['e.id', 'e.payload', 'e.created_at'])
          .where('r.user_id', '=', userId)
          .where('r.event_id', '>', since)
          .where('r.event_id', '<=', through)
          .orderBy('r.event_id')
          .limit(limit)
          .execute(),
        db
          .selectFrom('chat_members as m')
          .innerJoin('events as e', 'e.chat_id', 'm.chat_id')
          .select(['e.id', 'e.payload', 'e.created_at'])
          .where('m.user_id', '=', userId)
          .where('e.for_members', '=', 1)
          .where('e.id', '>', since)
          .where('e.id', '<=', through)
          // While the user was a member: from joining, until leaving (if they left). Periods are
          // kept to the millisecond: an event in the very millisecond of leaving counts as after.
          .whereRef('e.created_at', '>=', 'm.added_at')
          .where((eb) => eb.or([eb('m.removed_at', 'is', null), eb('e.created_at', '<', eb.ref('m.removed_at'))]))
          .orderBy('e.id')
          .limit(limit)
          .execute(),
      ]);
      return [...listed, ...asMember]
        .map((r) => ({ id: Number(r.id), payload: r.payload, createdAt: Number(r.created_at) }))
        .sort((a, b) => a.id - b.id)
        .slice(0, limit);
    },
    async deleteForMessage(messageId) {
      const ids = db.selectFrom('events').select('id').where('message_id', '=', messageId);
      await db.deleteFrom('event_recipients').where('event_id', 'in', ids).execute();
      await db.deleteFrom('events').where('message_id', '=', messageId).execute();
    },
    async deleteForChat(chatId) {
      const ids = db.selectFrom('events').select('id').where('chat_id', '=', chatId);
      await db.deleteFrom('event_recipients').where('event_id', 'in', ids).execute();
      await db.deleteFrom('events').where('chat_id', '=', chatId).execute();
    },
    latestId,
    stableThrough: () => (kind === 'postgres' ? stableThrough(db) : latestId()),
    async pruneBefore(before) {
      const row = await db
        .selectFrom('events')
        .select(({ fn }) => fn.max('id').as('id'))
        .where('created_at', '<', before)
        .executeTakeFirst();
      const through = Number(row?.id ?? 0);
      if (through > 0) {
        await db.deleteFrom('event_recipients').where('event_id', '<=', through).execute();
        await db.deleteFrom('events').where('id', '<=', through).execute();
      }
      return through;
    },
  };
}

export function createSettingsRepository(db: Kysely<Database>): SettingsRepository {
  return {
    async get(key) {
      return (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
    },
    async set(key, value) {
      await db
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
    async insertIfAbsent(key, value) {
      const result = await db
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
  };
}
