/**
 * A `Store` over any Kysely database: the repositories are written once and the engine
 * adapters (SQLite, PostgreSQL) only open the connection and pick the dialect.
 */
import { sql, type Kysely } from 'kysely';
import type { Repositories, Store } from '../../ports/store.js';
import { createMediaRepository } from './media.repository.js';
import type { Database } from './schema.js';
import { createSessionsRepository } from './sessions.repository.js';
import { createSigningKeysRepository } from './signing-keys.repository.js';
import { createUsersRepository } from './users.repository.js';

/** Builds the repositories on `db` (the database itself or an open transaction). */
export function createRepositories(db: Kysely<Database>): Repositories {
  return {
    users: createUsersRepository(db),
    sessions: createSessionsRepository(db),
    signingKeys: createSigningKeysRepository(db),
    media: createMediaRepository(db),
  };
}

/** Wraps `db` as a `Store`; `close` destroys it. */
export function createKyselyStore(db: Kysely<Database>, kind: Store['kind']): Store {
  return {
    kind,
    ...createRepositories(db),
    transaction: (work) => db.transaction().execute((trx) => work(createRepositories(trx))),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
