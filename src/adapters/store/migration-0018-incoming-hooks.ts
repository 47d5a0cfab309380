/**
 * Migration 0018: incoming webhooks (issue 22). Each hook posts into one chat as its own
 * bot user (a member of that chat); its secret URL's token is stored only as a SHA-256 hash.
 */
import type { Kysely, Migration } from 'kysely';
import type { Database } from './schema.js';

export const incomingHooksMigration = (): Migration => ({
  async up(db: Kysely<Database>) {
    await db.schema
      .createTable('incoming_hooks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('chat_id', 'text', (c) => c.notNull().references('chats.id').onDelete('cascade'))
      .addColumn('bot_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('incoming_hooks_chat').on('incoming_hooks').column('chat_id').execute();
  },
});
