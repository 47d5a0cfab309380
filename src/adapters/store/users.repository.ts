import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { NewUser, UserRecord, UserSearch, UsersRepository } from '../../ports/store.js';
import type { Database, UsersTable } from './schema.js';
import { asUniqueViolation } from './unique-violation.js';

/** A users row as a record (shared with the V-app repository's look-ups). */
export const toUserRecord = (row: Selectable<UsersTable>): UserRecord => ({
  id: Number(row.id),
  uid: row.uid,
  username: row.username,
  displayName: row.display_name,
  email: row.email,
  about: row.about,
  passwordHash: row.password_hash,
  accountKeyHash: row.account_key_hash,
  lastSeenAt: row.last_seen_at === null ? null : Number(row.last_seen_at),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
  vonageUserId: row.vonage_user_id ?? null,
  role: row.role === 'admin' ? 'admin' : 'user',
  disabledAt: row.disabled_at === null || row.disabled_at === undefined ? null : Number(row.disabled_at),
  ...(Number(row.is_bot ?? 0) === 1 ? { isBot: true } : {}),
});

/** Escapes LIKE wildcards so a search for `50%` matches the text "50%". */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Users over Kysely; `db` may be a transaction. */
export function createUsersRepository(db: Kysely<Database>): UsersRepository {
  /** Users matching `query`, ranked: the exact username, then usernames and names starting with the query, then the rest; by id within a rank. */
  async function ranked({ query, limit, offset, after }: UserSearch) {
    const pattern = likePattern(query);
    const prefixPattern = pattern.slice(1); // "query%"
    const rank = sql<number>`case when username = ${query.toLowerCase()} then 0 when username like ${prefixPattern} escape '\\' then 1 when lower(display_name) like ${prefixPattern} escape '\\' then 2 else 3 end`;
    let select = db
      .selectFrom('users')
      .selectAll()
      .select(rank.as('search_rank'))
      // SQLite has no default LIKE escape character; name it for both engines.
      .where(sql<boolean>`(lower(display_name) like ${pattern} escape '\\' or username like ${pattern} escape '\\')`);
    if (after) select = select.where(sql<boolean>`(${rank} > ${after.rank} or (${rank} = ${after.rank} and id > ${after.id}))`);
    const rows = await select.orderBy(rank).orderBy('id').limit(limit).offset(offset).execute();
    return rows.map((row) => ({ user: toUserRecord(row), rank: Number(row.search_rank) }));
  }

  return {
    async insert(user: NewUser) {
      try {
        const row = await db
          .insertInto('users')
          .values({
            uid: user.uid,
            username: user.username,
            display_name: user.displayName,
            email: user.email,
            email_key: user.emailKey ?? user.email?.toLowerCase() ?? null,
            email_skeleton: user.emailSkeleton ?? null,
            about: user.about ?? null,
            password_hash: user.passwordHash,
            created_at: user.createdAt,
            updated_at: user.updatedAt,
            vonage_user_id: user.vonageUserId ?? null,
            role: user.role ?? 'user',
            ...(user.isBot ? { is_bot: 1 } : {}),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toUserRecord(row);
      } catch (error) {
        throw asUniqueViolation(error, ['username', 'email', 'vonage_user_id']);
      }
    },
    async findById(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUserRecord(row);
    },
    async findByIds(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .where('id', 'in', [...new Set(ids)])
        .execute();
      return rows.map(toUserRecord);
    },
    async findByUsername(username) {
      const row = await db.selectFrom('users').selectAll().where('username', '=', username.toLowerCase()).executeTakeFirst();
      return row && toUserRecord(row);
    },
    async findByEmail(email) {
      const row = await db.selectFrom('users').selectAll().where('email_key', '=', email.toLowerCase()).executeTakeFirst();
      return row && toUserRecord(row);
    },
    async search(search) {
      return (await ranked(search)).map((r) => r.user);
    },
    searchRanked: (search) => ranked(search),
    async newest({ before, limit, query: text }) {
      let query = db.selectFrom('users').selectAll();
      if (before !== undefined) query = query.where('id', '<', before);
      if (text !== undefined && text !== '') {
        const pattern = likePattern(text);
        query = query.where(
          sql<boolean>`(lower(display_name) like ${pattern} escape '\\' or username like ${pattern} escape '\\' or email_key like ${pattern} escape '\\')`,
        );
      }
      return (await query.orderBy('id', 'desc').limit(limit).execute()).map(toUserRecord);
    },
    async update(id, patch) {
      const values: Updateable<UsersTable> = {};
      if (patch.displayName !== undefined) values.display_name = patch.displayName;
      if (patch.about !== undefined) values.about = patch.about;
      if (patch.passwordHash !== undefined) values.password_hash = patch.passwordHash;
      if (patch.accountKeyHash !== undefined) values.account_key_hash = patch.accountKeyHash;
      if (patch.lastSeenAt !== undefined) values.last_seen_at = patch.lastSeenAt;
      if (patch.updatedAt !== undefined) values.updated_at = patch.updatedAt;
      if (patch.role !== undefined) values.role = patch.role;
      if (patch.disabledAt !== undefined) values.disabled_at = patch.disabledAt;
      if (Object.keys(values).length === 0) return;
      await db.updateTable('users').set(values).where('id', '=', id).execute();
    },
    async delete(id) {
      // The user's messages go with them; replies of others in their threads are not theirs and
      // stay, moved into the main history (a thread reply without its root would be unreachable).
      await db
        .updateTable('messages')
        .set({ thread_id: null })
        .where('thread_id', 'in', db.selectFrom('messages').select('id').where('author_id', '=', id))
        .execute();
      const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async setVonageUserId(id, vonageUserId) {
      try {
        const result = await db
          .updateTable('users')
          .set({ vonage_user_id: vonageUserId })
          .where('id', '=', id)
          .where('vonage_user_id', 'is', null)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0;
      } catch (error) {
        throw asUniqueViolation(error, ['vonage_user_id']);
      }
    },
  };
}
