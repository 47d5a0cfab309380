// @one-pass: runs every adapter itself; the PostgreSQL + Redis pass would run it again unchanged.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { migrationNames } from '../../src/adapters/store/migrations.js';
import { openPostgresStore } from '../../src/adapters/store/postgres.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { tempDir } from '../helpers.js';
import { createTestSchema, postgresService } from '../services.js';
import { storeContract } from './store.contract.js';

const postgres = await postgresService();

storeContract('SQLite (file, WAL)', async () => (await openSqliteStore(path.join(tempDir(), 'parley.db'))).store);
storeContract('SQLite (:memory:)', async () => (await openSqliteStore(':memory:')).store);
storeContract(
  'PostgreSQL',
  async () => {
    const schema = await createTestSchema();
    const { store } = await openPostgresStore(schema.url, { poolSize: 3 });
    return { ...store, close: () => store.close().then(schema.drop) };
  },
  { skip: postgres.skip },
);

describe('PostgreSQL store', { skip: postgres.skip }, () => {
  it('lets several nodes start at once on a fresh database: one migrates, all work', async () => {
    const schema = await createTestSchema();
    // Separate pools, so separate sessions: as far as PostgreSQL can tell, separate nodes.
    const opened = await Promise.all([1, 2, 3].map(() => openPostgresStore(schema.url, { poolSize: 1 })));
    try {
      const user = await opened[0]!.store.users.insert({
        uid: crypto.randomUUID(),
        username: 'racer',
        displayName: 'R',
        email: null,
        passwordHash: 'h',
        createdAt: 1,
        updatedAt: 1,
      });
      for (const { store } of opened) assert.equal((await store.users.findByUsername('racer'))?.id, user.id);
      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      const { rows } = await client.query('select name from kysely_migration');
      await client.end();
      assert.deepEqual(rows.map((r) => r.name).sort(), migrationNames(), 'each migration ran once');
    } finally {
      await Promise.all(opened.map(({ store }) => store.close()));
    }
  });

  it('leaves the process-wide pg type parsers alone', async () => {
    assert.equal(pg.types.getTypeParser(pg.types.builtins.INT8, 'text')('12'), '12');
  });

  it('names the database, without its password, when it cannot connect', async () => {
    await assert.rejects(
      openPostgresStore('postgres://parley:hunter2@127.0.0.1:1/none', { poolSize: 1, connectionTimeoutMs: 2000 }),
      (error: Error) =>
        /Cannot connect to PostgreSQL at postgres:\/\/parley:\*\*\*@127\.0\.0\.1:1\/none: .*ECONNREFUSED/.test(error.message) &&
        !error.message.includes('hunter2'),
    );
  });
});
