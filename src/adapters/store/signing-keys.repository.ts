import { type Kysely, sql } from 'kysely';
import type { SigningKeysRepository, Store } from '../../ports/store.js';
import type { Database } from './schema.js';

/** Token signing keys over Kysely, oldest first. */
export function createSigningKeysRepository(db: Kysely<Database>, kind: Store['kind']): SigningKeysRepository {
  return {
    async lockForFirstKey() {
      // SHARE ROW EXCLUSIVE conflicts with itself and with writes, not with plain reads.
      if (kind === 'postgres') await sql`lock table signing_keys in share row exclusive mode`.execute(db);
    },
    async list() {
      const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
      return rows.map((r) => ({
        kid: r.kid,
        algorithm: r.algorithm,
        privatePem: r.private_pem,
        publicJwk: r.public_jwk,
        createdAt: Number(r.created_at),
      }));
    },
    async insert(key) {
      await db
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          algorithm: key.algorithm,
          private_pem: key.privatePem,
          public_jwk: key.publicJwk,
          created_at: key.createdAt,
        })
        .onConflict((oc) => oc.column('kid').doNothing())
        .execute();
    },
  };
}
