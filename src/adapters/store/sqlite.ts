/**
 * The embedded default: one SQLite file in `DATA_DIR`, in WAL mode, migrated at start.
 * better-sqlite3 is synchronous, so every statement is short and indexed; Kysely's SQLite
 * driver serialises access to the one connection, which keeps transactions isolated.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Store } from '../../ports/store.js';
import { createKyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations.js';
import { watchOtherWriters } from './other-writers.js';
import { withReadCache } from './read-cache.js';
import { withStatementCache } from './statement-cache.js';
import type { Database } from './schema.js';

export interface SqliteStore {
  store: Store;
  /** The raw connection, for components that speak better-sqlite3 themselves (rate limits). */
  connection: SqliteDatabase.Database;
}

/** Opens (creating if needed) `file`, applies pragmas and migrations. `:memory:` works too. */
export async function openSqliteStore(file: string): Promise<SqliteStore> {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const connection = new SqliteDatabase(file);
  connection.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash or power
  // loss may roll back the last transactions.
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
  try {
    await migrateToLatest(db, 'sqlite');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const base = createKyselyStore(db, 'sqlite');
  const otherWriters = watchOtherWriters(connection);
  const store = withReadCache({
    ...base,
    onOtherWriters: otherWriters.listen,
    close: async () => {
      otherWriters.stop();
      await base.close();
    },
  });
  return { store, connection };
}
