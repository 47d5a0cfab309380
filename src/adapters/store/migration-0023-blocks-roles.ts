/**
 * Migration 0023: trust and safety, part A (issue 21). `user_blocks` holds who blocked whom
 * (account-wide, unlike a chat's own blocked members); a group member may hold a role
 * (`admin`; the owner stays `chats.owner_id`); `chat_bans` keeps banned users out of a group
 * until they are unbanned; a message a moderator deleted names them in `deleted_by`.
 */
import type { ColumnDefinitionBuilder, Kysely, Migration } from 'kysely';

export const blocksRolesMigration = (): Migration => ({
  async up(db: Kysely<unknown>) {
    const userRef = (c: ColumnDefinitionBuilder) => c.notNull().references('users.id').onDelete('cascade');
    await db.schema
      .createTable('user_blocks')
      .addColumn('blocker_id', 'integer', userRef)
      .addColumn('blocked_id', 'integer', userRef)
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('user_blocks_pk', ['blocker_id', 'blocked_id'])
      .execute();
    // "Who blocked me" is asked on every personal send and group add.
    await db.schema.createIndex('user_blocks_blocked').on('user_blocks').columns(['blocked_id', 'blocker_id']).execute();

    await db.schema
      .createTable('chat_bans')
      .addColumn('chat_id', 'text', (c) => c.notNull().references('chats.id').onDelete('cascade'))
      .addColumn('user_id', 'integer', userRef)
      .addColumn('banned_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('chat_bans_pk', ['chat_id', 'user_id'])
      .execute();

    // Null: a plain member.
    await db.schema.alterTable('chat_members').addColumn('role', 'text').execute();
    // Null: deleted by its author (or not deleted).
    await db.schema.alterTable('messages').addColumn('deleted_by', 'integer').execute();
  },
});
