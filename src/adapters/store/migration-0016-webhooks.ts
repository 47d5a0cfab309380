/**
 * Migration 0016: outgoing webhooks (issue 22). `webhook_deliveries` is the durable outbox
 * and the delivery log at once: rows are written in the event's own transaction, delivered
 * in id order per webhook, and kept (with their status, attempts and last error) for the
 * deliveries listing until they age out.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from './dialect.js';
import type { Database } from './schema.js';

export const webhooksMigration = (dialect: Dialect): Migration => ({
  async up(db: Kysely<Database>) {
    await db.schema
      .createTable('webhooks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('url', 'text', (c) => c.notNull())
      // JSON arrays: the event kinds, and the chats (null: every chat).
      .addColumn('events', 'text', (c) => c.notNull())
      .addColumn('chat_ids', 'text')
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'integer', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity()))
      .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      // pending → delivered | failed
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('last_status', 'integer')
      .addColumn('due_at', 'bigint', (c) => c.notNull())
      .addColumn('leased_until', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .execute();
    await db.schema.createIndex('webhook_deliveries_order').on('webhook_deliveries').columns(['webhook_id', 'status', 'id']).execute();
    await db.schema.createIndex('webhook_deliveries_pending').on('webhook_deliveries').columns(['status', 'due_at']).execute();
  },
});
