/**
 * Migration 0017: bots and their API keys (issue 22). A bot is a user row marked `is_bot`;
 * each key is a device session of the bot (so sockets, revocation and presence work as for
 * any session) plus the key's hash and scopes.
 */
import type { Kysely, Migration } from 'kysely';
import type { Database } from './schema.js';

export const botsMigration = (): Migration => ({
  async up(db: Kysely<Database>) {
    await db.schema
      .alterTable('users')
      .addColumn('is_bot', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('session_id', 'text', (c) => c.notNull().references('device_sessions.id').onDelete('cascade'))
      // SHA-256 of the key's 256-bit random secret (hex): a slow hash buys nothing for such a secret.
      .addColumn('key_hash', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('api_keys_user').on('api_keys').column('user_id').execute();
  },
});
