/**
 * Migration 0022: trust and safety, part B (issue 21). `audit_log` keeps every admin and
 * moderator action (no foreign keys: an entry outlives its actor and target); `reports` keeps
 * a user's report with a copy of the reported message as evidence (it survives the message's
 * deletion); `data_exports` is the one data export a user may have (its file in the blob
 * store, so any node serves it); `chats.retention_days` is a chat's own message retention.
 */
import type { ColumnDefinitionBuilder, Kysely, Migration } from 'kysely';
import type { Dialect } from './dialect.js';

export const safetyMigration = (dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    const identity = (c: ColumnDefinitionBuilder) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity());

    // Newest first by id: the id is the cursor.
    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'integer', identity)
      .addColumn('actor_id', 'integer')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('chat_id', 'text')
      .addColumn('details', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('reports')
      .addColumn('id', 'integer', identity)
      .addColumn('reporter_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('chat_id', 'text')
      .addColumn('message_id', 'integer')
      .addColumn('reported_user_id', 'integer')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('text', 'text')
      .addColumn('evidence', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('action', 'text')
      .addColumn('resolved_by', 'integer')
      .addColumn('resolved_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('reports_status').on('reports').columns(['status', 'id']).execute();
    // The report rate limit counts a reporter's recent reports; the duplicate check looks up a target.
    await db.schema.createIndex('reports_reporter').on('reports').columns(['reporter_id', 'created_at']).execute();

    await db.schema
      .createTable('data_exports')
      .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('blob_key', 'text')
      .addColumn('file_size', 'bigint')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('lease_until', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .addColumn('expires_at', 'bigint')
      .execute();
    await db.schema.createIndex('data_exports_expires').on('data_exports').column('expires_at').execute();

    await db.schema.alterTable('chats').addColumn('retention_days', 'integer').execute();
    // The retention sweep finds old messages across every chat.
    await db.schema.createIndex('messages_created_at').on('messages').column('created_at').execute();
  },
});
