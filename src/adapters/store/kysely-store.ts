/**
 * A `Store` over any Kysely database: the repositories are written once and the engine
 * adapters (SQLite, PostgreSQL) only open the connection and pick the dialect.
 */
import { sql, type Kysely } from 'kysely';
import type { Repositories, Store } from '../../ports/store.js';
import { createMediaRepository } from './media.repository.js';
import type { Database } from './schema.js';
import { createChatsRepository } from './chats.repository.js';
import { createContactsRepository } from './contacts.repository.js';
import { createEventLogRepository, createSettingsRepository } from './event-log.repository.js';
import { createMessagesRepository } from './messages.repository.js';
import { createPushRepository } from './push.repository.js';
import { createSessionsRepository } from './sessions.repository.js';
import { createSigningKeysRepository } from './signing-keys.repository.js';
import { createUsersRepository } from './users.repository.js';

/** Builds the repositories on `db` (the database itself or an open transaction). */
export function createRepositories(db: Kysely<Database>, kind: Store['kind']): Repositories {
  return {
    users: createUsersRepository(db),
    sessions: createSessionsRepository(db),
    signingKeys: createSigningKeysRepository(db),
    chats: createChatsRepository(db),
    messages: createMessagesRepository(db),
    contacts: createContactsRepository(db),
    events: createEventLogRepository(db, kind),
    settings: createSettingsRepository(db),
    media: createMediaRepository(db),
    push: createPushRepository(db, kind),
  };
}

/** Wraps `db` as a `Store`; `close` destroys it. */
export function createKyselyStore(db: Kysely<Database>, kind: Store['kind']): Store {
  return {
    kind,
    ...createRepositories(db, kind),
    transaction: (work) => db.transaction().execute((trx) => work(createRepositories(trx, kind))),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
