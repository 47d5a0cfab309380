/**
 * Messages older than the search index (a database migrated from before it) are indexed
 * after start, in batches, while the node already serves. Embedded store only: the test
 * un-indexes rows through the file itself.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { client, register, startApp, type TestApp } from './helpers.js';

describe('search: older messages are indexed after start', { skip: process.env.PARLEY_TEST_STORE === 'postgres' }, () => {
  let t: TestApp;
  after(() => t?.destroy());

  it('finds messages that existed before the index once catch-up has run', async () => {
    t = await startApp();
    const a = await register(t.app);
    const b = await register(t.app);
    const A = client(t.app, a.token);
    const chatId = (await A('POST', '/chats', { title: 'Old', participants: [b.id], isPersonal: false })).json().id as string;
    for (let i = 0; i < 25; i++) assert.equal((await A('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: `heirloom ${i}` })).statusCode, 200);
    await t.close();

    // As if the messages predated migration 0010: an empty index and everything left to do.
    const file = new SqliteDatabase(path.join(t.dataDir, 'parley.db'));
    file.exec(
      `delete from messages_fts; update settings set value = '{"through":' || (select max(id) from messages) || ',"done":0}' where key = 'search.backfill'`,
    );
    file.close();

    t = await startApp({}, { dataDir: t.dataDir });
    const B = client(t.app, a.token);
    // The catch-up runs in the background from start; wait for it by polling, with a bound.
    let found = 0;
    for (let attempt = 0; attempt < 100 && found < 25; attempt++) {
      const res = await B('GET', '/search/messages?q=heirloom&limit=50');
      assert.equal(res.statusCode, 200, res.body);
      found = res.json().results.length;
      if (found < 25) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(found, 25);
  });
});
