/**
 * Uploads in PostgreSQL, so that every node sees every file: a `blobs` row per blob and its
 * bytes in fixed-size `bytea` chunks (`blob_chunks`, migration 0006). Chosen over large
 * objects because chunks live in the schema (dropped, dumped and replicated with it, no
 * orphans for `vacuumlo` to find) and because each chunk is its own short statement: an
 * upload holds no connection or transaction while the client is slow.
 *
 * A write inserts a row without a key, streams the chunks under that row, and only then
 * gives it the key (replacing an older blob of that key) in one transaction: a reader never
 * sees half a blob, and a refused or failed write deletes its row and, by cascade, its chunks.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable as ReadableStream } from 'node:stream';
import type pg from 'pg';
import type { BlobInfo, BlobStore } from '../../ports/blob-store.js';
import { checkKey, limitSource } from './source.js';

export interface PostgresBlobOptions {
  /** Bytes per stored chunk (default 256 KiB); each blob records its own. */
  chunkBytes?: number;
  /** Writes untouched for this long are leftovers of a crash, removed at start (default 1 h). */
  staleAfterMs?: number;
  /** Reports a failed start-up sweep of stale writes (never fatal). */
  onError?: (error: Error) => void;
}

export const DEFAULT_CHUNK_BYTES = 256 * 1024;
const STALE_WRITE_MS = 60 * 60_000;

/** Splits a stream of arbitrary buffers into `size`-byte chunks (the last one shorter). */
async function* rechunk(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const piece of source) {
    parts.push(piece);
    held += piece.length;
    while (held >= size) {
      const joined = parts.length === 1 ? parts[0]! : Buffer.concat(parts, held);
      yield joined.subarray(0, size);
      parts = held > size ? [joined.subarray(size)] : [];
      held -= size;
    }
  }
  if (held > 0) yield Buffer.concat(parts, held);
}

/** A blob store on the pool of the PostgreSQL store (tables from migration 0006_blobs). */
export function createPostgresBlobStore(pool: pg.Pool, options: PostgresBlobOptions = {}): BlobStore {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const staleBefore = Date.now() - (options.staleAfterMs ?? STALE_WRITE_MS);
  void pool.query('delete from blobs where key is null and modified_at < $1', [staleBefore]).catch((error: Error) => options.onError?.(error));

  /** Gives the written row its key, replacing an older blob of that key; false if the row is gone. */
  async function publish(id: string, key: string, size: number, at: number): Promise<boolean> {
    const client = await pool.connect();
    try {
      await client.query('begin');
      // Two writes of one key take turns here, so neither trips over the unique index.
      await client.query("select pg_advisory_xact_lock(hashtext('parley:blob:' || $1))", [key]);
      await client.query('delete from blobs where key = $1', [key]);
      const updated = await client.query('update blobs set key = $1, size = $2, modified_at = $3 where id = $4', [key, size, at, id]);
      await client.query('commit');
      return updated.rowCount === 1;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  return {
    async write(key, source, { maxBytes }) {
      checkKey(key);
      const limited = limitSource(source, maxBytes);
      let id: string | undefined;
      try {
        const now = Date.now();
        const inserted = await pool.query<{ id: string }>(
          'insert into blobs (key, size, chunk_size, created_at, modified_at) values (null, 0, $1, $2, $2) returning id::text as id',
          [chunkBytes, now],
        );
        id = inserted.rows[0]!.id;
        let size = 0;
        let idx = 0;
        // One chunk at a time: the next is read only once the last is stored (backpressure).
        for await (const chunk of rechunk(limited.stream, chunkBytes)) {
          await pool.query(
            'with touched as (update blobs set modified_at = $4 where id = $1) insert into blob_chunks (blob_id, idx, data) values ($1, $2, $3)',
            [id, idx++, chunk, Date.now()],
          );
          size += chunk.length;
        }
        const at = Date.now();
        if (!(await publish(id, key, size, at))) throw new Error(`the write of blob ${key} was swept away before it completed`);
        return { size, modifiedAt: at };
      } catch (error) {
        limited.detach();
        if (id !== undefined) await pool.query('delete from blobs where id = $1', [id]).catch(() => {});
        throw error;
      } finally {
        limited.detach();
      }
    },

    read(key, range) {
      checkKey(key);
      return ReadableStream.from(readChunks(pool, key, range), { objectMode: false }) as Readable;
    },

    async withFile(key, work) {
      // Copied to the temp folder in chunks, so the blob is never whole in memory.
      const folder = await mkdtemp(path.join(tmpdir(), 'parley-blob-'));
      try {
        const file = path.join(folder, checkKey(key));
        await pipeline(ReadableStream.from(readChunks(pool, key), { objectMode: false }), createWriteStream(file, { flags: 'wx' }));
        return await work(file);
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },

    async stat(key): Promise<BlobInfo | undefined> {
      const { rows } = await pool.query<{ size: number; modified_at: number }>('select size, modified_at from blobs where key = $1', [checkKey(key)]);
      const row = rows[0];
      return row && { size: Number(row.size), modifiedAt: Number(row.modified_at) };
    },

    async removeAbandonedWrites(idleMs) {
      // Every chunk written touches modified_at: a write that stopped goes quiet.
      await pool.query('delete from blobs where key is null and modified_at < $1', [Date.now() - idleMs]);
    },

    async delete(keys) {
      if (keys.length === 0) return;
      await pool.query('delete from blobs where key = any($1::text[])', [keys.map(checkKey)]);
    },

    async list() {
      const { rows } = await pool.query<{ name: string }>("select coalesce(key, '.writing-' || id) as name from blobs order by 1");
      return rows.map((row) => row.name);
    },
  };
}

/**
 * The bytes of `key` from `range.start` to `range.end` inclusive, one chunk (or the part of
 * one the range covers) per query, fetched only as the reader asks for more. The blob is
 * pinned by id: if it is deleted or replaced meanwhile, the stream fails rather than mixing
 * two blobs' bytes.
 */
async function* readChunks(pool: pg.Pool, key: string, range?: { start: number; end: number }): AsyncGenerator<Buffer> {
  const { rows } = await pool.query<{ id: string; size: number; chunk_size: number }>('select id::text as id, size, chunk_size from blobs where key = $1', [
    key,
  ]);
  const blob = rows[0];
  if (!blob) throw Object.assign(new Error(`no blob ${key}`), { code: 'ENOENT' });
  const size = Number(blob.size);
  const chunkSize = blob.chunk_size;
  const start = range?.start ?? 0;
  const end = Math.min(range?.end ?? size - 1, size - 1);
  for (let idx = Math.floor(start / chunkSize); idx * chunkSize <= end; idx++) {
    const from = Math.max(start - idx * chunkSize, 0);
    const to = Math.min(end - idx * chunkSize, chunkSize - 1);
    // Text results (bytea as hex): pg 8 decodes every binary result field as UTF-8, so
    // binary results would garble the bytes.
    const chunk = await pool.query<{ data: Buffer }>('select substring(data from $3 for $4) as data from blob_chunks where blob_id = $1 and idx = $2', [
      blob.id,
      idx,
      from + 1,
      to - from + 1,
    ]);
    const data = chunk.rows[0]?.data;
    if (!data) throw new Error(`blob ${key} was deleted or replaced while being read`);
    yield data;
  }
}
