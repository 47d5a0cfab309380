/**
 * Migration 0020: OIDC single sign-on (issue 22). `oidc_logins` holds each sign-in begun at
 * `/auth/oidc/start` (state, nonce, PKCE verifier) until its callback takes it, once, or it
 * expires; in the store so that any node may answer the callback. `oidc_identities` links a
 * provider's (issuer, subject) to a user.
 */
import type { Kysely, Migration } from 'kysely';
import type { Database } from './schema.js';

export const oidcMigration = (): Migration => ({
  async up(db: Kysely<Database>) {
    await db.schema
      .createTable('oidc_logins')
      .addColumn('state', 'text', (c) => c.primaryKey())
      .addColumn('nonce', 'text', (c) => c.notNull())
      .addColumn('code_verifier', 'text', (c) => c.notNull())
      .addColumn('redirect', 'text')
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('oidc_logins_expires').on('oidc_logins').column('expires_at').execute();
    await db.schema
      .createTable('oidc_identities')
      .addColumn('issuer', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('oidc_identities_pk', ['issuer', 'subject'])
      .execute();
    await db.schema.createIndex('oidc_identities_user').on('oidc_identities').column('user_id').execute();
  },
});
