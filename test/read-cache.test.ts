import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { createKyselyStore } from '../src/adapters/store/kysely-store.js';
import { migrateToLatest } from '../src/adapters/store/migrations.js';
import { watchOtherWriters } from '../src/adapters/store/other-writers.js';
import { withReadCache } from '../src/adapters/store/read-cache.js';
import type { Database } from '../src/adapters/store/schema.js';
import type { MediaRecord, SessionRecord, Store, UserRecord } from '../src/ports/store.js';
import { tempDir } from './helpers.js';

const session = (userId: number, at = 1): SessionRecord => ({
  id: randomUUID(),
  userId,
  tokenId: randomUUID(),
  deviceId: null,
  deviceName: null,
  deviceModel: null,
  pushToken: null,
  pushTransport: null,
  ipAddress: null,
  createdAt: at,
  updatedAt: at,
});

const photo = (ownerId: number): MediaRecord => ({
  id: randomUUID(),
  ownerId,
  fileType: 'png',
  mime: 'image/png',
  fileSize: 10,
  width: 1,
  height: 1,
  previewWidth: null,
  previewHeight: null,
  ready: true,
  attachedAs: null,
  attachedAt: null,
  createdAt: 1,
});

async function waitFor(condition: () => Promise<boolean>, ms = 2000) {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) if (await condition()) return;
  assert.fail('condition not met in time');
}

describe('read cache of the embedded store', () => {
  let file: string;
  let store: Store;
  let user: UserRecord;
  let reads: { sessions: number; photos: number };
  const closers: Array<() => Promise<void>> = [];
  after(() => Promise.all(closers.map((close) => close())));

  beforeEach(async () => {
    file = path.join(tempDir(), 'parley.db');
    const connection = new SqliteDatabase(file);
    connection.pragma('journal_mode = WAL');
    connection.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
    await migrateToLatest(db, 'sqlite');
    const base = createKyselyStore(db, 'sqlite');
    // Count what reaches the database.
    reads = { sessions: 0, photos: 0 };
    const listByUser = base.sessions.listByUser;
    const listAttached = base.media.listAttached;
    base.sessions.listByUser = (id) => (reads.sessions++, listByUser(id));
    base.media.listAttached = (ids, use) => (reads.photos++, listAttached(ids, use));
    const otherWriters = watchOtherWriters(connection, 10);
    store = withReadCache({ ...base, onOtherWriters: otherWriters.listen });
    closers.push(() => (otherWriters.stop(), store.close()));
    user = await store.users.insert({
      uid: randomUUID(),
      username: `u${reads.sessions}${Date.now()}`,
      displayName: 'U',
      email: null,
      passwordHash: 'h',
      createdAt: 1,
      updatedAt: 1,
    });
  });

  it('answers the sessions and photos of a user from memory until they change', async () => {
    await store.sessions.insert(session(user.id));
    for (let i = 0; i < 3; i++) {
      assert.equal((await store.sessions.listByUser(user.id)).length, 1);
      assert.deepEqual(await store.media.listAttached([user.id], 'photo'), []);
    }
    assert.deepEqual(reads, { sessions: 1, photos: 1 });
  });

  it('sees every write of its own: sessions, photos, transactions and user deletion', async () => {
    const first = session(user.id);
    await store.sessions.insert(first);
    assert.equal((await store.sessions.listByUser(user.id)).length, 1);
    await store.sessions.insert(session(user.id, 2));
    assert.equal((await store.sessions.listByUser(user.id)).length, 2, 'insert');
    await store.sessions.update(first.id, { deviceName: 'phone' });
    assert.equal((await store.sessions.listByUser(user.id))[0]!.deviceName, 'phone', 'update');
    await store.transaction((tx) => tx.sessions.delete(first.id));
    assert.equal((await store.sessions.listByUser(user.id)).length, 1, 'delete in a transaction');

    const image = photo(user.id);
    await store.media.insert(image);
    assert.deepEqual(await store.media.listAttached([user.id], 'photo'), []);
    assert.equal(await store.media.attach(image.id, 'photo', 5), true);
    assert.deepEqual(
      (await store.media.listAttached([user.id], 'photo')).map((m) => m.id),
      [image.id],
      'attach',
    );

    await store.users.delete(user.id);
    assert.deepEqual(await store.sessions.listByUser(user.id), [], 'deletion cascades to sessions');
    assert.deepEqual(await store.media.listAttached([user.id], 'photo'), [], 'and to photos');
  });

  it('never keeps a read that overlapped a write', async () => {
    await store.sessions.insert(session(user.id));
    const [during] = await Promise.all([store.sessions.listByUser(user.id), store.sessions.insert(session(user.id, 2))]);
    assert.ok(during.length >= 1);
    assert.equal((await store.sessions.listByUser(user.id)).length, 2);
  });

  it('sees what another process committed to the file (PRAGMA data_version)', async () => {
    assert.deepEqual(await store.sessions.listByUser(user.id), []);
    const other = new SqliteDatabase(file);
    const s = session(user.id);
    other.prepare('insert into device_sessions (id, user_id, token_id, created_at, updated_at) values (?, ?, ?, 1, 1)').run(s.id, user.id, s.tokenId);
    other.close();
    await waitFor(async () => (await store.sessions.listByUser(user.id)).length === 1);
    assert.deepEqual(
      (await store.sessions.listByUser(user.id)).map((x) => x.id),
      [s.id],
    );
  });

  it('hands out frozen records and fresh arrays, so no caller can change what others see', async () => {
    await store.sessions.insert(session(user.id));
    const list = await store.sessions.listByUser(user.id);
    assert.throws(() => ((list[0] as { deviceName: string | null }).deviceName = 'x'), TypeError);
    list.pop();
    assert.equal((await store.sessions.listByUser(user.id)).length, 1);
  });
});
