/**
 * The embedded default's blob store: one folder on local disk (`DATA_DIR/uploads`).
 * A write goes to a temp file in the same folder and is renamed into place when complete,
 * so a reader never sees half a file and a failed or refused upload leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobInfo, BlobStore } from '../../ports/blob-store.js';
import { checkKey, limitSource } from './source.js';

const TEMP_PREFIX = '.tmp-';
/** Temp files older than this at start are leftovers of a crash. */
const STALE_TEMP_MS = 60 * 60_000;

/** Opens (creating if needed) a blob store in `root`. */
export function createFsBlobStore(root: string): BlobStore {
  mkdirSync(root, { recursive: true });

  const pathOf = (key: string) => path.join(root, checkKey(key));

  void removeStaleTemps(root);

  return {
    async write(key, source, { maxBytes }) {
      const final = pathOf(key);
      const temp = path.join(root, `${TEMP_PREFIX}${randomUUID()}`);
      const limited = limitSource(source, maxBytes);
      try {
        await pipeline(limited.stream, createWriteStream(temp, { flags: 'wx' }));
        await rename(temp, final);
      } catch (error) {
        limited.detach();
        await rm(temp, { force: true });
        throw error;
      } finally {
        limited.detach();
      }
      const info = await stat(final);
      return { size: info.size, modifiedAt: info.mtimeMs };
    },

    read(key, range) {
      return createReadStream(pathOf(key), range ? { start: range.start, end: range.end } : {});
    },

    // The stored file is already on disk; a delete meanwhile leaves an open file readable.
    withFile: (key, work) => work(pathOf(key)),

    async stat(key): Promise<BlobInfo | undefined> {
      try {
        const info = await stat(pathOf(key));
        return info.isFile() ? { size: info.size, modifiedAt: info.mtimeMs } : undefined;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },

    removeAbandonedWrites: (idleMs) => removeStaleTemps(root, idleMs),

    async delete(keys) {
      await Promise.all(keys.map((key) => rm(pathOf(key), { force: true })));
    },

    async list() {
      return (await readdir(root)).sort();
    },
  };
}

async function removeStaleTemps(root: string, staleMs = STALE_TEMP_MS): Promise<void> {
  try {
    const now = Date.now();
    for (const name of await readdir(root)) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const file = path.join(root, name);
      const info = await stat(file).catch(() => undefined);
      // A temp file being written is touched by every chunk; one left by a crash is not.
      if (info && now - info.mtimeMs > staleMs) await rm(file, { force: true });
    }
  } catch {
    // Best effort: a leftover temp file costs disk space, never correctness.
  }
}
