import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { compileOnce } from '../src/adapters/store/compiled-query.js';

interface Db {
  t: { a: number; b: string };
}

describe('compileOnce', () => {
  const connection = new Database(':memory:');
  connection.exec("create table t (a integer, b text); insert into t values (1, 'x'), (2, 'y'), (2, 'z')");
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: connection }) });

  it('runs the query built once with each call’s parameters in their places', async () => {
    const find = compileOnce(db, (q, b: string, a: number) => q.selectFrom('t').selectAll().where('a', '=', a).where('b', '=', b), ['sample-b', -1]);
    assert.deepEqual(await find('y', 2), [{ a: 2, b: 'y' }]);
    assert.deepEqual(await find('x', 1), [{ a: 1, b: 'x' }]);
    assert.deepEqual(await find('x', 2), []);
  });

  it('refuses samples that do not mark each parameter exactly once', async () => {
    const same = compileOnce(db, (q, a: number, b: number) => q.selectFrom('t').selectAll().where('a', '=', a).where('a', '=', b), [1, 1]);
    await assert.rejects(same(1, 2), /exactly once/);
    const fixed = compileOnce(db, (q, a: number) => q.selectFrom('t').selectAll().where('a', '=', a).where('b', '=', 'x'), [-1]);
    await assert.rejects(fixed(1), /every parameter/);
  });
});
