/**
 * Migration 0021: presence for everyone (issue 19). A socket's row names its user (so "is
 * this user online?" is one index read) and says whether the socket has gone idle (no frame
 * for PRESENCE_AWAY_SECONDS); contacts are found by the user they name (who has this user
 * as a contact: the audience of their presence events).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const presenceMigration = (): Migration => ({
  async up(db: Kysely<unknown>) {
    // Rows written before this migration have no user: they still count for push, not for presence.
    await db.schema.alterTable('socket_presence').addColumn('user_id', 'integer').execute();
    await db.schema
      .alterTable('socket_presence')
      .addColumn('idle', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('socket_presence_user')
      .on('socket_presence')
      .columns(['user_id', 'seen_at'])
      .where(sql.ref('user_id'), 'is not', null)
      .execute();
    await db.schema.createIndex('contacts_user').on('contacts').column('user_id').execute();
  },
});
