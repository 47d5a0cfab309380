import { sql, type Kysely, type Selectable } from 'kysely';
import type { ChatRecord, ChatsRepository, MemberRecord } from '../../ports/store.js';
import type { ChatMembersTable, ChatsTable, Database } from './schema.js';
import { asUniqueViolation } from './unique-violation.js';

export const toChat = (row: Selectable<ChatsTable>): ChatRecord => ({
  id: row.id,
  title: row.title,
  isPersonal: Boolean(row.is_personal),
  personalKey: row.personal_key,
  ownerId: row.owner_id === null ? null : Number(row.owner_id),
  roomName: row.room_name,
  lastSeq: Number(row.last_seq),
  lastActivityAt: Number(row.last_activity_at),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

export const toMember = (row: Selectable<ChatMembersTable>): MemberRecord => ({
  chatId: row.chat_id,
  userId: Number(row.user_id),
  isMember: Boolean(row.is_member),
  isMuted: Boolean(row.is_muted),
  isArchived: Boolean(row.is_archived),
  isRemovedOnDevice: Boolean(row.is_removed_on_device),
  hasBlockedChat: Boolean(row.has_blocked_chat),
  isBlocked: Boolean(row.is_blocked),
  lastReadSeq: Number(row.last_read_seq),
  addedAt: Number(row.added_at),
  removedAt: row.removed_at === null ? null : Number(row.removed_at),
  mentionsOnly: row.notify === 'mentions',
  role: row.role === 'admin' ? 'admin' : null,
});

/** Every column but `notify` and `role`, which only `updateMember` writes (an upsert leaves them as they were). */
const memberRow = (m: MemberRecord): Omit<Selectable<ChatMembersTable>, 'notify' | 'role'> => ({
  chat_id: m.chatId,
  user_id: m.userId,
  is_member: Number(m.isMember),
  is_muted: Number(m.isMuted),
  is_archived: Number(m.isArchived),
  is_removed_on_device: Number(m.isRemovedOnDevice),
  has_blocked_chat: Number(m.hasBlockedChat),
  is_blocked: Number(m.isBlocked),
  last_read_seq: m.lastReadSeq,
  added_at: m.addedAt,
  removed_at: m.removedAt,
});

const MEMBER_COLUMNS: Record<string, keyof ChatMembersTable> = {
  isMember: 'is_member',
  isMuted: 'is_muted',
  isArchived: 'is_archived',
  isRemovedOnDevice: 'is_removed_on_device',
  hasBlockedChat: 'has_blocked_chat',
  isBlocked: 'is_blocked',
  lastReadSeq: 'last_read_seq',
  addedAt: 'added_at',
  removedAt: 'removed_at',
  role: 'role',
};

/**
 * `advanceForSend` on PostgreSQL, one statement (one round trip): the chat row first (its
 * lock orders concurrent sends), then the member rows in one UPDATE (a row may change only
 * once per statement), then the current member ids as the statement's snapshot saw them.
 */
async function advanceOnPostgres(db: Kysely<Database>, chatId: string, authorId: number, at: number) {
  const { rows } = await sql<{ seq: number | null; members: number[] | null }>`
    with c as (
      update chats set last_seq = last_seq + 1, last_activity_at = ${at} where id = ${chatId} returning last_seq
    ), m as (
      update chat_members
      set is_removed_on_device = 0,
          last_read_seq = case when user_id = ${authorId} then (select last_seq from c) else last_read_seq end
      where chat_id = ${chatId} and (is_removed_on_device = 1 or user_id = ${authorId})
      returning user_id
    )
    select (select last_seq from c) as seq,
           (select array_agg(user_id) from chat_members where chat_id = ${chatId} and is_member = 1) as members`.execute(db);
  const row = rows[0];
  if (row?.seq === null || row?.seq === undefined) throw new Error(`chat ${chatId} not found`);
  return { seq: Number(row.seq), memberIds: (row.members ?? []).map(Number) };
}

/** Chats and their members over Kysely; `db` may be a transaction. */
export function createChatsRepository(db: Kysely<Database>, kind: 'sqlite' | 'postgres' = 'sqlite'): ChatsRepository {
  const repo: ChatsRepository = {
    async insert(chat, members) {
      try {
        await db
          .insertInto('chats')
          .values({
            id: chat.id,
            title: chat.title,
            is_personal: Number(chat.isPersonal),
            personal_key: chat.personalKey,
            owner_id: chat.ownerId,
            room_name: chat.roomName,
            last_seq: chat.lastSeq,
            last_activity_at: chat.lastActivityAt,
            created_at: chat.createdAt,
            updated_at: chat.updatedAt,
          })
          .execute();
      } catch (error) {
        throw asUniqueViolation(error, ['personal_key', 'room_name']);
      }
      if (members.length > 0) await db.insertInto('chat_members').values(members.map(memberRow)).execute();
    },
    async findById(id) {
      const row = await db.selectFrom('chats').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toChat(row);
    },
    async findByPersonalKey(key) {
      const row = await db.selectFrom('chats').selectAll().where('personal_key', '=', key).executeTakeFirst();
      return row && toChat(row);
    },
    async findByRoomName(name) {
      const row = await db.selectFrom('chats').selectAll().where('room_name', '=', name).executeTakeFirst();
      return row && toChat(row);
    },
    async update(id, patch) {
      const values: Partial<Selectable<ChatsTable>> = {};
      if (patch.title !== undefined) values.title = patch.title;
      if (patch.ownerId !== undefined) values.owner_id = patch.ownerId;
      if (patch.updatedAt !== undefined) values.updated_at = patch.updatedAt;
      if (patch.lastActivityAt !== undefined) values.last_activity_at = patch.lastActivityAt;
      if (Object.keys(values).length > 0) await db.updateTable('chats').set(values).where('id', '=', id).execute();
    },
    async nextSeq(id, at) {
      const row = await db
        .updateTable('chats')
        .set({ last_seq: sql`last_seq + 1`, last_activity_at: at })
        .where('id', '=', id)
        .returning('last_seq')
        .executeTakeFirstOrThrow();
      return Number(row.last_seq);
    },
    async delete(id) {
      const result = await db.deleteFrom('chats').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async listForUser(userId) {
      const rows = await db
        .selectFrom('chat_members as m')
        .innerJoin('chats as c', 'c.id', 'm.chat_id')
        .selectAll('c')
        .select([
          'm.chat_id',
          'm.user_id',
          'm.is_member',
          'm.is_muted',
          'm.is_archived',
          'm.is_removed_on_device',
          'm.has_blocked_chat',
          'm.is_blocked',
          'm.last_read_seq',
          'm.added_at',
          'm.removed_at',
          'm.notify',
          'm.role',
        ])
        .where('m.user_id', '=', userId)
        .where('m.is_member', '=', 1)
        .where('m.is_removed_on_device', '=', 0)
        .orderBy('c.last_activity_at', 'desc')
        .orderBy('c.id')
        .execute();
      return rows.map((row) => ({ chat: toChat(row), member: toMember(row) }));
    },
    async findMember(chatId, userId) {
      const row = await db.selectFrom('chat_members').selectAll().where('chat_id', '=', chatId).where('user_id', '=', userId).executeTakeFirst();
      return row && toMember(row);
    },
    async listMembers(chatId, activeOnly) {
      let query = db.selectFrom('chat_members').selectAll().where('chat_id', '=', chatId);
      if (activeOnly) query = query.where('is_member', '=', 1);
      return (await query.orderBy('added_at').orderBy('user_id').execute()).map(toMember);
    },
    async listOwnedIds(userId) {
      return (await db.selectFrom('chats').select('id').where('owner_id', '=', userId).execute()).map((r) => r.id);
    },
    async listPeerIds(userId) {
      const rows = await db
        .selectFrom('chat_members as mine')
        .innerJoin('chat_members as other', 'other.chat_id', 'mine.chat_id')
        .select('other.user_id')
        .distinct()
        .where('mine.user_id', '=', userId)
        .where('mine.is_member', '=', 1)
        .where('other.is_member', '=', 1)
        .where('other.user_id', '!=', userId)
        .execute();
      return rows.map((r) => Number(r.user_id));
    },
    async listMemberIds(chatId) {
      const rows = await db.selectFrom('chat_members').select('user_id').where('chat_id', '=', chatId).where('is_member', '=', 1).execute();
      return rows.map((r) => Number(r.user_id));
    },
    async memberIdsNamed(chatId, usernames) {
      if (usernames.length === 0) return [];
      const rows = await db
        .selectFrom('users as u')
        .innerJoin('chat_members as m', (j) => j.onRef('m.user_id', '=', 'u.id').on('m.chat_id', '=', chatId))
        .select('u.id')
        .where('u.username', 'in', usernames)
        .where('m.is_member', '=', 1)
        .execute();
      return rows.map((r) => Number(r.id));
    },
    async upsertMember(member) {
      const row = memberRow(member);
      const { chat_id: _c, user_id: _u, ...rest } = row;
      await db
        .insertInto('chat_members')
        .values(row)
        .onConflict((oc) => oc.columns(['chat_id', 'user_id']).doUpdateSet(rest))
        .execute();
    },
    async updateMember(chatId, userId, patch) {
      const values: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(patch)) {
        const column = MEMBER_COLUMNS[key];
        if (column && value !== undefined) values[column] = typeof value === 'boolean' ? Number(value) : value;
      }
      if (patch.mentionsOnly !== undefined) values.notify = patch.mentionsOnly ? 'mentions' : null;
      if (Object.keys(values).length === 0) return;
      await db.updateTable('chat_members').set(values).where('chat_id', '=', chatId).where('user_id', '=', userId).execute();
    },
    async unhideForAll(chatId) {
      await db.updateTable('chat_members').set({ is_removed_on_device: 0 }).where('chat_id', '=', chatId).where('is_removed_on_device', '=', 1).execute();
    },
    async advanceForSend(chatId, authorId, at) {
      if (kind === 'postgres') return advanceOnPostgres(db, chatId, authorId, at);
      // SQLite runs in-process: separate statements cost no round trips.
      const seq = await repo.nextSeq(chatId, at);
      await repo.unhideForAll(chatId);
      await repo.updateMember(chatId, authorId, { lastReadSeq: seq });
      return { seq, memberIds: await repo.listMemberIds(chatId) };
    },
  };
  return repo;
}
