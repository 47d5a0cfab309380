import type { Kysely } from 'kysely';
import type { OidcRepository } from '../../ports/store.js';
import type { Database } from './schema.js';
import { asUniqueViolation } from './unique-violation.js';

/** OIDC sign-ins and identity links over Kysely; `db` may be a transaction. */
export function createOidcRepository(db: Kysely<Database>): OidcRepository {
  return {
    async saveLogin(r) {
      await db
        .insertInto('oidc_logins')
        .values({ state: r.state, nonce: r.nonce, code_verifier: r.codeVerifier, redirect: r.redirect, expires_at: r.expiresAt })
        .execute();
    },
    async takeLogin(state, now) {
      // One DELETE … RETURNING: of two callbacks racing with one state, one gets the row.
      const row = await db.deleteFrom('oidc_logins').where('state', '=', state).returningAll().executeTakeFirst();
      if (!row || Number(row.expires_at) <= now) return undefined;
      return { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier, redirect: row.redirect, expiresAt: Number(row.expires_at) };
    },
    async deleteExpiredLogins(now) {
      await db.deleteFrom('oidc_logins').where('expires_at', '<=', now).execute();
    },
    async findIdentity(issuer, subject) {
      const row = await db.selectFrom('oidc_identities').selectAll().where('issuer', '=', issuer).where('subject', '=', subject).executeTakeFirst();
      return row && { issuer: row.issuer, subject: row.subject, userId: Number(row.user_id), createdAt: Number(row.created_at) };
    },
    async insertIdentity(r) {
      await db
        .insertInto('oidc_identities')
        .values({ issuer: r.issuer, subject: r.subject, user_id: r.userId, created_at: r.createdAt })
        .execute()
        .catch((error) => {
          throw asUniqueViolation(error, ['subject']);
        });
    },
  };
}
