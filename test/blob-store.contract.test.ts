/**
 * The BlobStore contract, run against every adapter (only the local-disk one exists so far;
 * a shared adapter joins the list when it lands).
 */
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, describe, it } from 'node:test';
import { createFsBlobStore } from '../src/adapters/blobs/fs.js';
import { AppError } from '../src/errors.js';
import type { BlobStore } from '../src/ports/blob-store.js';
import { tempDir } from './helpers.js';

const dir = tempDir('parley-blobs-');
const adapters: Array<{ name: string; open: () => BlobStore; leftovers: () => string[] }> = [
  { name: 'fs', open: () => createFsBlobStore(path.join(dir, 'fs')), leftovers: () => readdirSync(path.join(dir, 'fs')) },
];
after(() => rmSync(dir, { recursive: true, force: true }));

for (const adapter of adapters) {
  describe(`BlobStore contract: ${adapter.name}`, () => {
    const blobs = adapter.open();

    it('writes a stream and reads it back, whole and by range', async () => {
      const info = await blobs.write('a.txt', Readable.from(['hello ', 'world']), { maxBytes: 100 });
      assert.equal(info.size, 11);
      assert.equal(await text(blobs.read('a.txt')), 'hello world');
      assert.equal(await text(blobs.read('a.txt', { start: 6, end: 10 })), 'world');
      assert.equal((await blobs.stat('a.txt'))?.size, 11);
    });

    it('refuses more than maxBytes with too_large and leaves nothing behind', async () => {
      const before = adapter.leftovers();
      const source = Readable.from([Buffer.alloc(60), Buffer.alloc(60)]);
      await assert.rejects(blobs.write('big.bin', source, { maxBytes: 100 }), (e: unknown) => e instanceof AppError && e.code === 'too_large');
      assert.equal(await blobs.stat('big.bin'), undefined);
      assert.deepEqual(adapter.leftovers(), before);
    });

    it('leaves nothing when the source fails midway, and shows no blob before it is complete', async () => {
      const before = adapter.leftovers();
      const source = new PassThrough();
      const writing = blobs.write('half.bin', source, { maxBytes: 1000 });
      source.write(Buffer.alloc(10));
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(await blobs.stat('half.bin'), undefined);
      source.destroy(new Error('client went away'));
      await assert.rejects(writing, /client went away/);
      assert.deepEqual(adapter.leftovers(), before);
    });

    it('deletes, ignoring missing keys', async () => {
      await blobs.write('gone.txt', Readable.from(['x']), { maxBytes: 10 });
      await blobs.delete(['gone.txt', 'never-was.txt']);
      assert.equal(await blobs.stat('gone.txt'), undefined);
    });

    it('refuses keys that are not plain names', async () => {
      for (const key of ['../escape.txt', 'a/b.txt', '.hidden', '']) {
        assert.throws(() => blobs.read(key), /invalid blob key/);
        await assert.rejects(blobs.stat(key), /invalid blob key/);
      }
    });
  });
}
