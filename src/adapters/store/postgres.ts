/**
 * The scale-out store: PostgreSQL through a `pg` pool, behind the same Kysely repositories
 * as the embedded SQLite store. Every node on one database shares its rows, including the
 * token signing keys and the rate-limit counters, so nodes behave as one.
 */
import pg from 'pg';
import { Kysely } from 'kysely';
import { redactUrl } from '../../config.js';
import { describeError } from '../describe-error.js';
import type { Store } from '../../ports/store.js';
import { createKyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations.js';
import { CurrentSchemaPostgresDialect } from './postgres-introspector.js';
import type { Database } from './schema.js';

export interface PostgresStoreOptions {
  /** Connections this node keeps at most (`DATABASE_POOL_SIZE`). */
  poolSize: number;
  /** How long to wait for a connection before a query fails (default 10 s). */
  connectionTimeoutMs?: number;
  /** Errors of idle pooled connections (the database restarted, the network dropped). */
  onError?: (error: Error) => void;
}

export interface PostgresStore {
  store: Store;
  /** The pool itself, for components that speak `pg` directly (rate limits). */
  pool: pg.Pool;
}

/**
 * BIGINT (int8) columns hold epoch milliseconds and counters, all below 2^53, so they are
 * read as numbers, the way SQLite returns them. Scoped to this pool: `pg.types` (global to
 * the process) is left alone.
 */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Runs `work` while holding a session-level advisory lock named after the current schema,
 * so that nodes starting together migrate one after another. The lock is held by `client`,
 * a connection outside the pool (so a pool of one still works); PostgreSQL drops the lock
 * if this process dies.
 */
async function withMigrationLock(client: pg.Client, work: () => Promise<void>): Promise<void> {
  const key = `hashtext('parley:migrations:' || coalesce(current_schema(), ''))`;
  await client.query(`select pg_advisory_lock(${key})`);
  try {
    await work();
  } finally {
    await client.query(`select pg_advisory_unlock(${key})`);
  }
}

/**
 * Connects to `url`, applies pending migrations (one node at a time) and returns the store.
 * A schema other than `public` can be chosen in the URL: `?options=-c%20search_path%3Dparley`.
 * Throws a message naming the (password-redacted) URL when the database is unreachable.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions): Promise<PostgresStore> {
  const config: pg.ClientConfig = {
    connectionString: url,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    application_name: 'parley',
    types: typeParsers,
  };
  const where = `PostgreSQL at ${redactUrl(url)}`;
  const pool = new pg.Pool({ ...config, max: options.poolSize });
  // An idle connection that breaks emits here; without a listener it would end the process.
  pool.on('error', (error) => options.onError?.(error));
  // So does a checked-out one (pg-pool listens only while a client is idle): PostgreSQL going
  // away mid-query fails that query, which the edge answers 503, and must not end the process.
  pool.on('connect', (client) => client.on('error', (error) => options.onError?.(error)));
  const db = new Kysely<Database>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
  const lockClient = new pg.Client(config);
  lockClient.on('error', () => {}); // a broken connection fails the query in flight, reported below
  try {
    await lockClient.connect().catch((error: unknown) => {
      throw new Error(`Cannot connect to ${where}: ${describeError(error)}`, { cause: error });
    });
    await withMigrationLock(lockClient, () => migrateToLatest(db, 'postgres')).catch((error: unknown) => {
      throw new Error(`${where}: ${describeError(error)}`, { cause: error });
    });
  } catch (error) {
    await db.destroy();
    throw error;
  } finally {
    await lockClient.end().catch(() => {});
  }
  return { store: createKyselyStore(db, 'postgres'), pool };
}
