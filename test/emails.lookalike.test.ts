/**
 * Issue 24 item 10: email addresses are normalised (NFKC, case-folded, invisible characters
 * removed) and a look-alike of an existing address (a Cyrillic "а", a fullwidth letter, a
 * trailing zero-width space) is refused with 409 like a duplicate. Migration 0010 keeps a
 * database that already holds look-alikes working.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { bearer, problemOf, register, startApp, uniqueName, type TestApp } from './helpers.js';
import { createTestSchema, postgresService } from './services.js';

const signUp = (t: TestApp, email: string) =>
  t.app.inject({ method: 'POST', url: '/users', payload: { name: 'L', username: uniqueName('look'), password: 'password123', email } });
const login = (t: TestApp, email: string, password = 'correct horse battery') =>
  t.app.inject({ method: 'POST', url: '/users/login', payload: { email, password } });

describe('look-alike emails', () => {
  let t: TestApp;
  before(async () => (t = await startApp()));
  after(() => t.destroy());

  it('refuses a Cyrillic, fullwidth or zero-width look-alike of an existing address with 409', async () => {
    const local = uniqueName('anna');
    await register(t.app, { email: `${local}@example.com` });
    const lookAlikes = [
      `\u0430${local.slice(1)}@example.com`, // Cyrillic а for the Latin a
      `${local}@ex\u0430mple.com`, // in the domain
      `${local}@example.com\u200b`, // a trailing zero-width space
      `${local}\u200d@example.com`, // a zero-width joiner inside
      `\uff41${local.slice(1)}@example.com`, // fullwidth ａ
      `${local}@EXAMPLE.COM`,
      `${local}@exampl\u0435.c\u043em`, // Cyrillic е and о
    ];
    for (const email of lookAlikes) {
      const res = await signUp(t, email);
      assert.match(problemOf(res, 409).detail, /email/i, `${JSON.stringify(email)} answered ${res.statusCode}`);
    }
  });

  it('stores the normalised address and logs in by any spelling of it', async () => {
    const local = uniqueName('bob');
    const user = await register(t.app, { email: `\uff42${local.slice(1)}\u200b@Example.com` });
    const me = (await t.app.inject({ url: '/users/me', headers: bearer(user.token) })).json();
    assert.equal(me.email, `${local}@Example.com`);
    for (const spelling of [`${local}@example.com`, `${local.toUpperCase()}@EXAMPLE.COM\u200b`]) {
      const res = await login(t, spelling);
      assert.equal(res.statusCode, 200, `${JSON.stringify(spelling)}: ${res.body}`);
      assert.equal(res.json().id, user.id);
    }
  });

  it('still registers distinct ASCII addresses, and non-Latin addresses unlike any other', async () => {
    const local = uniqueName('tom');
    for (const email of [
      `${local}@example.com`,
      `${local.replace('m', 'rn')}@example.com`,
      `${local}1@example.com`,
      `${local}l@example.com`,
      `\u0434\u0438\u043c\u0430${local}@example.com`,
    ]) {
      const res = await signUp(t, email);
      assert.equal(res.statusCode, 200, `${email}: ${res.body}`);
    }
  });
});

/** Runs SQL on the app's database as an older Parley would have: SQLite file or PostgreSQL schema. */
type RawSql = (statement: string, values?: unknown[]) => Promise<any[]>;

const postgres = await postgresService();

async function rawSqlite(dataDir: string): Promise<{ run: RawSql; close(): Promise<void> }> {
  const db = new Database(path.join(dataDir, 'parley.db'));
  return {
    run: async (statement, values = []) => {
      const prepared = db.prepare(statement.replace(/\$\d+/g, '?'));
      return prepared.reader ? prepared.all(...values) : (prepared.run(...values), []);
    },
    close: async () => void db.close(),
  };
}

async function rawPostgres(url: string): Promise<{ run: RawSql; close(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return { run: async (statement, values = []) => (await client.query(statement, values)).rows, close: () => client.end() };
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`migration 0010 on a ${engine} database that already holds look-alikes`, { skip: engine === 'postgres' && postgres.skip }, () => {
    it('keeps every old account working and refuses a further look-alike', async () => {
      const schema = engine === 'postgres' ? await createTestSchema() : undefined;
      const t = await startApp({ DATABASE_URL: schema?.url ?? '' });
      const local = uniqueName('old');
      const latin = `${local}@example.com`;
      const cyrillic = `${local.replace('o', '\u043e')}@example.com`;
      const zeroWidth = `${local}@example.com\u200b`;
      const first = await register(t.app, { email: latin });
      await t.close();
      // Back to the schema before 0010, then two look-alikes as the old code stored them.
      const raw = schema ? await rawPostgres(schema.url) : await rawSqlite(t.dataDir);
      try {
        if (engine === 'sqlite') await raw.run('drop index users_email_skeleton_unique');
        await raw.run('alter table users drop column email_skeleton');
        await raw.run("delete from kysely_migration where name = '0010_email_skeleton'");
        const [{ password_hash: hash }] = await raw.run('select password_hash from users where id = $1', [first.id]);
        const insert =
          "insert into users (uid, username, display_name, email, email_key, password_hash, created_at, updated_at) values ($1, $2, 'Old', $3, $4, $5, 1, 1)";
        await raw.run(insert, [`uid-${local}-1`, `${local}c`, cyrillic, cyrillic.toLowerCase(), hash]);
        await raw.run(insert, [`uid-${local}-2`, `${local}z`, zeroWidth, zeroWidth.toLowerCase(), hash]);
      } finally {
        await raw.close();
      }

      const reopened = await startApp({ DATABASE_URL: schema?.url ?? '' }, { dataDir: t.dataDir });
      try {
        const ids = [];
        for (const email of [latin, cyrillic, zeroWidth]) {
          const res = await login(reopened, email);
          assert.equal(res.statusCode, 200, `${JSON.stringify(email)}: ${res.body}`);
          ids.push(res.json().id);
        }
        assert.equal(new Set(ids).size, 3, 'each old account keeps its own address');
        assert.match(problemOf(await signUp(reopened, `${local.replace('o', '\u03bf')}@example.com`), 409).detail, /email/i);
      } finally {
        await reopened.destroy();
        await schema?.drop();
      }
    });
  });
}
