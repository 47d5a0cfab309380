// @one-pass: its own PostgreSQL schemas; the PostgreSQL + Redis pass would run it again unchanged.
/**
 * Migrating on a PostgreSQL database that other clients change at the same time: Kysely's
 * migrator lists the tables of every schema, so a schema dropped by someone else during
 * that listing must not fail our start-up.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { openPostgresStore } from '../src/adapters/store/postgres.js';
import { createTestSchema, postgresService, POSTGRES_URL } from './services.js';

const postgres = await postgresService();

describe('PostgreSQL migrations', { skip: postgres.skip }, () => {
  const churners = Array.from({ length: 3 }, () => new pg.Client({ connectionString: POSTGRES_URL }));
  for (const churner of churners) churner.on('error', () => {});
  after(() => Promise.all(churners.map((churner) => churner.end().catch(() => {}))));

  it('start while other clients create and drop tables and schemas', async () => {
    let stop = false;
    let churned = 0;
    // Bounded: each stops when the opens below are done, or after 5,000 rounds.
    const churn = churners.map(async (churner, c) => {
      await churner.connect();
      for (let i = 0; !stop && i < 5_000; i++) {
        const name = `churn_${process.pid}_${c}_${i}`;
        await churner.query(
          `create schema ${name}; ` + Array.from({ length: 40 }, (_, t) => `create table ${name}.t${t} (id serial primary key, a int, b text);`).join(' '),
        );
        // Tables one by one, then the schema: both "relation … does not exist" and "schema …
        // does not exist" can meet the listing.
        for (let t = 0; t < 40; t++) await churner.query(`drop table ${name}.t${t}`);
        await churner.query(`drop schema ${name}`);
        churned++;
      }
    });
    try {
      for (let round = 0; round < 6; round++) {
        const schema = await createTestSchema();
        const { store } = await openPostgresStore(schema.url, { poolSize: 2 });
        assert.equal(store.kind, 'postgres');
        await store.close();
        await schema.drop();
      }
    } finally {
      stop = true;
      await Promise.all(churn);
    }
    assert.ok(churned > 0, 'the other client dropped schemas meanwhile');
  });

  it('finds its own bookkeeping again: a second start applies nothing and keeps the rows', async () => {
    const schema = await createTestSchema();
    const first = await openPostgresStore(schema.url, { poolSize: 2 });
    const applied = await first.pool.query(`select name, timestamp from ${schema.name}.kysely_migration order by name`);
    assert.ok(applied.rows.length >= 9, `all migrations recorded (${applied.rows.length})`);
    await first.store.close();
    const second = await openPostgresStore(schema.url, { poolSize: 2 });
    const again = await second.pool.query(`select name, timestamp from ${schema.name}.kysely_migration order by name`);
    assert.deepEqual(again.rows, applied.rows, 'nothing applied twice, nothing rewritten');
    await second.store.close();
    await schema.drop();
  });
});
