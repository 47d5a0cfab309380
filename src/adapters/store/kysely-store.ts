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
import { createMessageExtrasRepository } from './message-extras.repository.js';
import { createMessagesRepository } from './messages.repository.js';
import { createPushRepository } from './push.repository.js';
import { createPresenceRepository } from './presence.repository.js';
import { createSessionsRepository } from './sessions.repository.js';
import { createSigningKeysRepository } from './signing-keys.repository.js';
import { createTwoFactorRepository } from './two-factor.repository.js';
import { createUsersRepository } from './users.repository.js';
import { createVappRepository } from './vapp.repository.js';
import { createWebhooksRepository } from './webhooks.repository.js';
import { createApiKeysRepository } from './api-keys.repository.js';
import { createIncomingHooksRepository } from './incoming-hooks.repository.js';
import { createOidcRepository } from './oidc.repository.js';
import { createAuditRepository, createExportsRepository, createReportsRepository, createRetentionRepository } from './safety.repository.js';
import { createChatBansRepository, createUserBlocksRepository } from './blocks.repository.js';

/** Builds the repositories on `db` (the database itself or an open transaction). */
export function createRepositories(db: Kysely<Database>, kind: Store['kind']): Repositories {
  return {
    users: createUsersRepository(db),
    sessions: createSessionsRepository(db),
    signingKeys: createSigningKeysRepository(db, kind),
    chats: createChatsRepository(db, kind),
    messages: createMessagesRepository(db),
    messageExtras: createMessageExtrasRepository(db, kind),
    contacts: createContactsRepository(db),
    events: createEventLogRepository(db, kind),
    settings: createSettingsRepository(db),
    media: createMediaRepository(db),
    push: createPushRepository(db, kind),
    presence: createPresenceRepository(db),
    vapp: createVappRepository(db),
    twoFactor: createTwoFactorRepository(db),
    webhooks: createWebhooksRepository(db),
    apiKeys: createApiKeysRepository(db),
    incomingHooks: createIncomingHooksRepository(db),
    oidc: createOidcRepository(db),
    audit: createAuditRepository(db),
    reports: createReportsRepository(db),
    exports: createExportsRepository(db),
    retention: createRetentionRepository(db),
    userBlocks: createUserBlocksRepository(db),
    chatBans: createChatBansRepository(db),
  };
}

/** PostgreSQL's "deadlock detected" and "could not serialize": the transaction did nothing and may run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

const isRetryable = (error: unknown) => RETRYABLE.has(String((error as { code?: unknown } | null)?.code));

/**
 * Wraps `db` as a `Store`; `close` destroys it. On PostgreSQL a transaction that lost a
 * deadlock (rolled back by the server) runs again, up to ATTEMPTS times: concurrent writers
 * of several nodes lock rows in orders this process cannot fully control.
 */
export function createKyselyStore(db: Kysely<Database>, kind: Store['kind']): Store {
  const once = <T>(work: (repos: Repositories) => Promise<T>) => db.transaction().execute((trx) => work(createRepositories(trx, kind)));
  return {
    kind,
    ...createRepositories(db, kind),
    async transaction(work) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await once(work);
        } catch (error) {
          if (kind !== 'postgres' || attempt >= ATTEMPTS || !isRetryable(error)) throw error;
        }
      }
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
