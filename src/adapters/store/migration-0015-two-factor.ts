/**
 * Migration 0015: TOTP two-factor sign-in (issue 22). One row per user who has set it up
 * (`enabled_at` null while the secret waits for its first code), and that user's recovery
 * codes, stored hashed, each usable once.
 */
import type { Kysely, Migration } from 'kysely';
import type { Database } from './schema.js';

export const twoFactorMigration = (): Migration => ({
  async up(db: Kysely<Database>) {
    await db.schema
      .createTable('two_factor')
      .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('enabled_at', 'bigint')
      // The time step of the last code accepted: a code is good once (no replay within its window).
      .addColumn('last_step', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('recovery_codes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema.createIndex('recovery_codes_user').on('recovery_codes').column('user_id').execute();
  },
});
