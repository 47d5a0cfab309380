// @one-pass: runs every adapter itself; the PostgreSQL + Redis pass would run it again unchanged.
/**
 * The BlobStore contract, run against every adapter: local disk, and PostgreSQL (skipped
 * when it is not reachable, a failure under PARLEY_REQUIRE_SERVICES=1). The PostgreSQL
 * store uses small chunks here, so that ranges cross chunk boundaries.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createFsBlobStore } from '../src/adapters/blobs/fs.js';
import { createPostgresBlobStore } from '../src/adapters/blobs/postgres.js';
import { openPostgresStore } from '../src/adapters/store/postgres.js';
import { AppError } from '../src/errors.js';
import type { BlobStore } from '../src/ports/blob-store.js';
import type { Store } from '../src/ports/store.js';
import { eventually } from './contract/bus.contract.js';
import { tempDir } from './helpers.js';
import { createTestSchema, postgresService } from './services.js';

interface Adapter {
  name: string;
  skip: string | false;
  open(): Promise<BlobStore>;
  /** What the adapter holds besides finished blobs, counted its own way (files, rows). */
  leftovers(): Promise<unknown>;
  close(): Promise<void>;
}

const dir = tempDir('parley-blobs-');
after(() => rmSync(dir, { recursive: true, force: true }));

const fsAdapter: Adapter = {
  name: 'fs',
  skip: false,
  open: async () => createFsBlobStore(path.join(dir, 'fs')),
  leftovers: async () => readdirSync(path.join(dir, 'fs')).sort(),
  close: async () => {},
};

const postgres = await postgresService();
let pgStore: { store: Store; pool: pg.Pool } | undefined;
const pgAdapter: Adapter = {
  name: 'postgres',
  skip: postgres.skip,
  async open() {
    const schema = await createTestSchema();
    pgStore = await openPostgresStore(schema.url, { poolSize: 4 });
    return createPostgresBlobStore(pgStore.pool, { chunkBytes: 1000 });
  },
  async leftovers() {
    const { rows } = await pgStore!.pool.query('select (select count(*) from blobs) as blobs, (select count(*) from blob_chunks) as chunks');
    return rows[0];
  },
  close: async () => pgStore?.store.close(),
};

const fail = <T>(stream: Readable) => new Promise<T>((resolve) => stream.on('error', resolve).resume());

for (const adapter of [fsAdapter, pgAdapter]) {
  describe(`BlobStore contract: ${adapter.name}`, { skip: adapter.skip }, () => {
    let blobs: BlobStore;
    before(async () => {
      blobs = await adapter.open();
    });
    after(() => adapter.close());

    it('writes a stream and reads it back, whole and by range', async () => {
      const info = await blobs.write('a.txt', Readable.from(['hello ', 'world']), { maxBytes: 100 });
      assert.equal(info.size, 11);
      assert.equal(await text(blobs.read('a.txt')), 'hello world');
      assert.equal(await text(blobs.read('a.txt', { start: 6, end: 10 })), 'world');
      assert.equal((await blobs.stat('a.txt'))?.size, 11);
    });

    it('reads any range of a larger blob, across chunk boundaries', async () => {
      const bytes = randomBytes(10_500);
      // Uneven pieces, as a network delivers them.
      const pieces = [bytes.subarray(0, 1), bytes.subarray(1, 2999), bytes.subarray(2999, 3000), bytes.subarray(3000)];
      assert.equal((await blobs.write('big.bin', Readable.from(pieces), { maxBytes: bytes.length })).size, bytes.length);
      assert.deepEqual(await buffer(blobs.read('big.bin')), bytes);
      for (const [start, end] of [
        [0, 0],
        [999, 1000],
        [1000, 1999],
        [1, 10_499],
        [4321, 8765],
        [10_499, 10_499],
        [10_000, 10_499],
      ] as const) {
        assert.deepEqual(await buffer(blobs.read('big.bin', { start, end })), bytes.subarray(start, end + 1), `bytes ${start}-${end}`);
      }
    });

    it('stores an empty blob', async () => {
      assert.equal((await blobs.write('empty.txt', Readable.from([]), { maxBytes: 10 })).size, 0);
      assert.equal((await blobs.stat('empty.txt'))?.size, 0);
      assert.equal((await buffer(blobs.read('empty.txt'))).length, 0);
    });

    it('replaces a blob written again under its key', async () => {
      await blobs.write('again.txt', Readable.from(['first version']), { maxBytes: 100 });
      await blobs.write('again.txt', Readable.from(['second']), { maxBytes: 100 });
      assert.equal(await text(blobs.read('again.txt')), 'second');
      const [x, y] = await Promise.all(['one', 'two'].map((v) => blobs.write('race.txt', Readable.from([v]), { maxBytes: 10 })));
      assert.equal(x!.size, 3);
      assert.equal(y!.size, 3);
      assert.ok(['one', 'two'].includes(await text(blobs.read('race.txt'))));
      assert.equal((await blobs.list()).filter((k) => k === 'race.txt').length, 1);
    });

    it('refuses more than maxBytes with too_large and leaves nothing behind', async () => {
      const before = await adapter.leftovers();
      const source = Readable.from([Buffer.alloc(600), Buffer.alloc(600), Buffer.alloc(600)]);
      await assert.rejects(blobs.write('over.bin', source, { maxBytes: 1000 }), (e: unknown) => e instanceof AppError && e.code === 'too_large');
      assert.equal(await blobs.stat('over.bin'), undefined);
      assert.deepEqual(await adapter.leftovers(), before);
      assert.equal((await blobs.write('exact.bin', Readable.from([Buffer.alloc(1000)]), { maxBytes: 1000 })).size, 1000);
    });

    it('leaves nothing when the source fails midway, and shows no blob before it is complete', async () => {
      const before = await adapter.leftovers();
      const keys = await blobs.list();
      const source = new PassThrough();
      const writing = blobs.write('half.bin', source, { maxBytes: 100_000 });
      source.write(Buffer.alloc(2500));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(await blobs.stat('half.bin'), undefined);
      const during = await blobs.list();
      assert.ok(!during.includes('half.bin'));
      assert.equal(during.length, keys.length + 1, 'the write in progress is listed under another name');
      source.destroy(new Error('client went away'));
      await assert.rejects(writing, /client went away/);
      assert.deepEqual(await adapter.leftovers(), before);
      assert.deepEqual(await blobs.list(), keys);
    });

    it('removes a write gone idle (what a crash mid-upload leaves), and keeps one that is moving', async () => {
      const keys = await blobs.list();
      const stalled = new PassThrough();
      const moving = new PassThrough();
      const stalledWrite = blobs.write('stalled.bin', stalled, { maxBytes: 100_000 });
      const movingWrite = blobs.write('moving.bin', moving, { maxBytes: 100_000 });
      stalled.write(Buffer.alloc(2500));
      moving.write(Buffer.alloc(2500));
      await eventually(async () => assert.equal((await blobs.list()).length, keys.length + 2));
      // 600 ms pass; the moving write gets bytes all along, the stalled one none.
      for (let i = 0; i < 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        moving.write(Buffer.alloc(100));
      }
      await blobs.removeAbandonedWrites(400);
      assert.equal((await blobs.list()).length, keys.length + 1, 'only the idle write was removed');
      moving.end();
      assert.equal((await movingWrite).size, 3100);
      stalled.end(Buffer.alloc(10));
      await assert.rejects(stalledWrite);
      assert.equal(await blobs.stat('stalled.bin'), undefined);
      await blobs.delete(['moving.bin']);
      assert.deepEqual(await blobs.list(), keys);
    });

    it('hands a blob to a reader as a file, whole', async () => {
      const bytes = randomBytes(5000);
      await blobs.write('as-file.bin', Readable.from([bytes]), { maxBytes: 10_000 });
      const { readFile } = await import('node:fs/promises');
      const seen = await blobs.withFile('as-file.bin', (file) => readFile(file));
      assert.ok(seen.equals(bytes));
      await blobs.delete(['as-file.bin']);
    });

    it('deletes, ignoring missing keys; a missing blob fails its read stream', async () => {
      await blobs.write('gone.txt', Readable.from(['x']), { maxBytes: 10 });
      assert.ok((await blobs.list()).includes('gone.txt'));
      await blobs.delete(['gone.txt', 'never-was.txt']);
      await blobs.delete([]);
      assert.equal(await blobs.stat('gone.txt'), undefined);
      assert.ok(!(await blobs.list()).includes('gone.txt'));
      const error = await fail<NodeJS.ErrnoException>(blobs.read('gone.txt'));
      assert.equal(error.code, 'ENOENT');
    });

    it('refuses keys that are not plain names', async () => {
      for (const key of ['../escape.txt', 'a/b.txt', '.hidden', '']) {
        assert.throws(() => blobs.read(key), /invalid blob key/);
        await assert.rejects(blobs.stat(key), /invalid blob key/);
        await assert.rejects(blobs.write(key, Readable.from(['x']), { maxBytes: 10 }), /invalid blob key/);
      }
    });
  });
}

describe('PostgreSQL blob store: writes left by a crash', { skip: postgres.skip }, () => {
  it('are removed when a store opens, once untouched for staleAfterMs', async () => {
    const schema = await createTestSchema();
    const opened = await openPostgresStore(schema.url, { poolSize: 2 });
    try {
      const insert = async (modifiedAt: number) => {
        const { rows } = await opened.pool.query(
          'insert into blobs (key, size, chunk_size, created_at, modified_at) values (null, 0, 10, $1, $1) returning id',
          [modifiedAt],
        );
        await opened.pool.query("insert into blob_chunks (blob_id, idx, data) values ($1, 0, '\\x00'::bytea)", [rows[0].id]);
      };
      await insert(Date.now() - 2 * 3600_000);
      await insert(Date.now());
      const blobs = createPostgresBlobStore(opened.pool);
      await eventually(async () => assert.equal((await blobs.list()).length, 1, 'the abandoned write is gone, the live one stays'));
      const { rows } = await opened.pool.query('select count(*)::int as n from blob_chunks');
      assert.equal(rows[0].n, 1);
    } finally {
      await opened.store.close();
      await schema.drop();
    }
  });
});
