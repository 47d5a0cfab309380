/**
 * The blob-storage port: bytes of uploads and previews, addressed by a key that the
 * server chose (never a client's path). The local-disk adapter serves the embedded
 * default; the PostgreSQL adapter serves several nodes.
 */
import type { Readable } from 'node:stream';

export interface BlobInfo {
  size: number;
  modifiedAt: number;
}

export interface BlobStore {
  /**
   * Streams `source` into `key`. Rejects with an `AppError('too_large')` as soon as more
   * than `maxBytes` arrive, leaving nothing behind; the blob appears only when complete.
   */
  write(key: string, source: Readable, options: { maxBytes: number }): Promise<BlobInfo>;
  /** A stream of the bytes from `start` to `end` inclusive (the whole blob by default). */
  read(key: string, range?: { start: number; end: number }): Readable;
  stat(key: string): Promise<BlobInfo | undefined>;
  /**
   * Runs `work` with the blob as a file on local disk: the stored file itself, or a copy in
   * the temp folder removed once `work` settles. For readers that must not hold the whole
   * blob in memory (image decoding reads a file in strips, but collects a stream whole).
   */
  withFile<T>(key: string, work: (path: string) => Promise<T>): Promise<T>;
  /**
   * Removes writes that stopped (their process crashed mid-upload): partial blobs that have
   * received nothing for `idleMs`. A write in progress receives bytes and is never idle that long.
   */
  removeAbandonedWrites(idleMs: number): Promise<void>;
  /** Deletes the blobs that exist; missing keys are ignored. */
  delete(keys: string[]): Promise<void>;
  /**
   * Every key held, sorted, with writes still in progress (or left by a crash) under names
   * that are not keys: for audits and tests, where "nothing left behind" means this list did
   * not grow.
   */
  list(): Promise<string[]>;
}
