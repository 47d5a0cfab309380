/**
 * The embedded default's blob store: one folder on local disk (`DATA_DIR/uploads`).
 * A write goes to a temp file in the same folder and is renamed into place when complete,
 * so a reader never sees half a file and a failed or refused upload leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../errors.js';
import type { BlobInfo, BlobStore } from '../../ports/blob-store.js';

/** Keys are server-chosen names; anything else is a bug, refused before touching the disk. */
const KEY_PATTERN = /^[A-Za-z0-9_-]{1,80}\.[a-z0-9]{1,10}$/;
const TEMP_PREFIX = '.tmp-';
/** Temp files older than this at start are leftovers of a crash. */
const STALE_TEMP_MS = 60 * 60_000;

/** Counts bytes on their way through and fails the stream once `maxBytes` is passed. */
function byteLimit(maxBytes: number) {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new AppError('too_large', `The upload is larger than ${maxBytes} bytes.`));
      else callback(null, chunk);
    },
  });
}

/** Opens (creating if needed) a blob store in `root`. */
export function createFsBlobStore(root: string): BlobStore {
  mkdirSync(root, { recursive: true });

  const pathOf = (key: string) => {
    if (!KEY_PATTERN.test(key)) throw new Error(`invalid blob key: ${JSON.stringify(key)}`);
    return path.join(root, key);
  };

  void removeStaleTemps(root);

  return {
    async write(key, source, { maxBytes }) {
      const final = pathOf(key);
      const temp = path.join(root, `${TEMP_PREFIX}${randomUUID()}`);
      const limit = byteLimit(maxBytes);
      // The source is piped rather than put in the pipeline: on a refusal the pipeline would
      // destroy it, and destroying a request kills its socket before the 413 can be sent.
      const onSourceError = (error: Error) => limit.destroy(error);
      const onSourceClose = () => {
        if (!source.readableEnded) limit.destroy(new Error('the upload was aborted'));
      };
      source.on('error', onSourceError).on('close', onSourceClose);
      source.pipe(limit);
      try {
        await pipeline(limit, createWriteStream(temp, { flags: 'wx' }));
        await rename(temp, final);
      } catch (error) {
        source.unpipe(limit);
        await rm(temp, { force: true });
        throw error;
      } finally {
        source.off('error', onSourceError).off('close', onSourceClose);
      }
      const info = await stat(final);
      return { size: info.size, modifiedAt: info.mtimeMs };
    },

    read(key, range) {
      return createReadStream(pathOf(key), range ? { start: range.start, end: range.end } : {});
    },

    async stat(key): Promise<BlobInfo | undefined> {
      try {
        const info = await stat(pathOf(key));
        return info.isFile() ? { size: info.size, modifiedAt: info.mtimeMs } : undefined;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },

    async delete(keys) {
      await Promise.all(keys.map((key) => rm(pathOf(key), { force: true })));
    },
  };
}

async function removeStaleTemps(root: string): Promise<void> {
  try {
    const now = Date.now();
    for (const name of await readdir(root)) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const file = path.join(root, name);
      const info = await stat(file).catch(() => undefined);
      if (info && now - info.mtimeMs > STALE_TEMP_MS) await rm(file, { force: true });
    }
  } catch {
    // Best effort: a leftover temp file costs disk space, never correctness.
  }
}
