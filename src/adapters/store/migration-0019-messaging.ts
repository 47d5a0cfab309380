/**
 * Migration 0019: what teams expect of messages (issue 19). Reactions, the edit history,
 * pins, mentions and delivery receipts get tables of their own (each row goes with its
 * message); a message may name the message it replies to and the root of its thread; a
 * member has a notification level; a user a chosen presence status.
 */
import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './dialect.js';

export const messagingMigration = (dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    const identity = (c: ColumnDefinitionBuilder) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity());
    const messageRef = (c: ColumnDefinitionBuilder) => c.notNull().references('messages.id').onDelete('cascade');
    const userRef = (c: ColumnDefinitionBuilder) => c.notNull().references('users.id').onDelete('cascade');

    // The id orders reactions by first use.
    await db.schema
      .createTable('message_reactions')
      .addColumn('id', 'integer', identity)
      .addColumn('message_id', 'integer', messageRef)
      .addColumn('user_id', 'integer', userRef)
      .addColumn('emoji', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('message_reactions_unique').on('message_reactions').columns(['message_id', 'emoji', 'user_id']).unique().execute();

    await db.schema
      .createTable('message_edits')
      .addColumn('id', 'integer', identity)
      .addColumn('message_id', 'integer', messageRef)
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('edited_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('message_edits_message').on('message_edits').columns(['message_id', 'id']).execute();

    await db.schema
      .createTable('chat_pins')
      .addColumn('chat_id', 'text', (c) => c.notNull().references('chats.id').onDelete('cascade'))
      .addColumn('message_id', 'integer', messageRef)
      .addColumn('pinned_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('chat_pins_pk', ['chat_id', 'message_id'])
      .execute();

    await db.schema
      .createTable('message_mentions')
      .addColumn('message_id', 'integer', messageRef)
      .addColumn('user_id', 'integer', userRef)
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('message_mentions_pk', ['message_id', 'user_id'])
      .execute();
    await db.schema.createIndex('message_mentions_user').on('message_mentions').columns(['user_id', 'message_id']).execute();

    await db.schema
      .createTable('message_deliveries')
      .addColumn('message_id', 'integer', messageRef)
      .addColumn('user_id', 'integer', userRef)
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('message_deliveries_pk', ['message_id', 'user_id'])
      .execute();

    // Replies keep pointing at a deleted message's tombstone; a thread's replies go with their chat.
    await db.schema.alterTable('messages').addColumn('reply_to_id', 'integer').execute();
    await db.schema.alterTable('messages').addColumn('thread_id', 'integer').execute();
    await db.schema.createIndex('messages_thread').on('messages').columns(['thread_id', 'seq']).where(sql.ref('thread_id'), 'is not', null).execute();

    // Null: the level follows is_muted (muted = "none", else "all").
    await db.schema.alterTable('chat_members').addColumn('notify', 'text').execute();
    await db.schema.alterTable('users').addColumn('presence_status', 'text').execute();
  },
});
