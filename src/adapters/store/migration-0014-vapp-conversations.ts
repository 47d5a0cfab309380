/**
 * Migration 0014: the V-app's conversations and image URLs (issue 18).
 * - `vonage_conversations`: a chat's id at the Vonage Conversation API, once created there
 *   (only with a Vonage application configured); one conversation per chat and one chat per
 *   conversation. Kept beside `chats` so rows of every other family stay as they are.
 * - `user_image_urls`: an image URL set with the V-app's JSON `POST /image {image_url}`
 *   that is not one of Parley's own uploads (the V-app web client sends images it put on
 *   Vonage's media server). The newer of it and the newest photo is the V-app `image_url`.
 */
import type { Kysely, Migration } from 'kysely';
import type { Database } from './schema.js';

export const vappConversationsMigration = (): Migration => ({
  async up(db: Kysely<Database>) {
    await db.schema
      .createTable('vonage_conversations')
      .addColumn('chat_id', 'text', (c) => c.primaryKey().references('chats.id').onDelete('cascade'))
      .addColumn('conversation_id', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('user_image_urls')
      .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('set_at', 'bigint', (c) => c.notNull())
      .execute();
  },
});
