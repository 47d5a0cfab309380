/**
 * Schema migrations, run at start by `migrateToLatest`. One list serves both engines; the
 * few differences (identity columns) are chosen by `dialect`. Never edit a migration that
 * has shipped: add a new one.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

type MigrationFactory = (dialect: Dialect) => Migration;

const migrations: Record<string, MigrationFactory> = {
  '0001_accounts_and_sessions': (dialect) => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', (c) =>
          dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity(),
        )
        .addColumn('uid', 'text', (c) => c.notNull().unique())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('email', 'text')
        .addColumn('email_key', 'text')
        .addColumn('about', 'text')
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('account_key_hash', 'text')
        .addColumn('last_seen_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('users_username_unique').on('users').column('username').unique().execute();
      await db.schema.createIndex('users_email_key_unique').on('users').column('email_key').unique().execute();

      await db.schema
        .createTable('device_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text')
        .addColumn('device_name', 'text')
        .addColumn('device_model', 'text')
        .addColumn('push_token', 'text')
        .addColumn('push_transport', 'text')
        .addColumn('ip_address', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('device_sessions_user_device_unique')
        .on('device_sessions')
        .columns(['user_id', 'device_id'])
        .unique()
        .execute();

      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('algorithm', 'text', (c) => c.notNull())
        .addColumn('private_pem', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  }),
};

class InCodeMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(Object.entries(migrations).map(([name, make]) => [name, make(this.dialect)]));
  }
}

/**
 * The schema PostgreSQL creates unqualified tables in (the first existing one on the
 * search_path). Kysely's migrator must be told: left unqualified, it takes a migration
 * table in any other schema of the database as its own.
 */
async function currentSchema(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('no schema on the search_path exists to create the tables in');
  return schema;
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(dialect),
    ...(dialect === 'postgres' ? { migrationTableSchema: await currentSchema(db) } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
