// @one-pass: runs every adapter itself; the PostgreSQL + Redis pass would run it again unchanged.
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { createPostgresSearchIndex } from '../../src/adapters/search/postgres-search.js';
import { openSqliteSearchIndex } from '../../src/adapters/search/sqlite-search.js';
import { openPostgresStore } from '../../src/adapters/store/postgres.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { tempDir } from '../helpers.js';
import { createTestSchema, postgresService } from '../services.js';
import { searchIndexContract } from './search-index.contract.js';

const postgres = await postgresService();
const BACKLOG = `update settings set value = '{"through":' || (select coalesce(max(id), 0) from messages) || ',"done":0}' where key = 'search.backfill'`;

/** SQLite with one of its two plans forced: filtering matches by join, or naming the chats in MATCH. */
const sqliteFixture = (narrowMatches: number) => async () => {
  const file = path.join(tempDir(), 'parley.db');
  const { store } = await openSqliteStore(file);
  // Small batches, so catching up takes several.
  const index = openSqliteSearchIndex(file, { batchSize: 7, narrowMatches });
  return {
    store,
    index,
    async forgetIndex() {
      const db = new SqliteDatabase(file);
      db.exec(`delete from messages_fts; ${BACKLOG}`);
      db.close();
    },
    close: async () => {
      index.close();
      await store.close();
    },
  };
};

searchIndexContract('SQLite FTS5, matches filtered by join', sqliteFixture(Number.POSITIVE_INFINITY));
searchIndexContract('SQLite FTS5, chats named in MATCH', sqliteFixture(-1));

searchIndexContract(
  'PostgreSQL tsvector',
  async () => {
    const schema = await createTestSchema();
    const { store, pool } = await openPostgresStore(schema.url, { poolSize: 3 });
    return {
      store,
      index: createPostgresSearchIndex(pool, { batchSize: 7 }),
      async forgetIndex() {
        const client = new pg.Client({ connectionString: schema.url });
        await client.connect();
        await client.query('update messages set search_doc = null');
        await client.query(BACKLOG);
        await client.end();
      },
      close: () => store.close().then(schema.drop),
    };
  },
  { skip: postgres.skip },
);
