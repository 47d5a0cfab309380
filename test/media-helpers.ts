/** Helpers for the files tests: images made with sharp at run time, uploads over inject. */
import type { Readable } from 'node:stream';
import sharp from 'sharp';
import type { ParleyApp } from '../src/app.js';
import { bearer, type TestApp } from './helpers.js';

/** A PNG of `width`×`height` in one colour. */
export const makePng = (width: number, height: number, background = '#3a6') =>
  sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();

/** A JPEG of `width`×`height` with EXIF metadata (which previews must drop). */
export const makeJpeg = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#c33' } })
    .jpeg()
    .withExifMerge({ IFD0: { Copyright: 'parley-test', ImageDescription: 'secret location' } })
    .toBuffer();

/**
 * A decompression bomb: a real PNG of 10000×10000 (100 MP) in one grey, which compresses
 * to under 100 KB. Made once per process: it takes about a second.
 */
let bomb: Promise<Buffer> | undefined;
export const makeBomb = () =>
  (bomb ??= sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#000' }, limitInputPixels: false })
    .toColourspace('b-w')
    .png({ compressionLevel: 9 })
    .toBuffer());

export interface UploadOptions {
  token?: string;
  fileName?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** POSTs `body` to /uploads. */
export function upload(app: ParleyApp, body: Buffer | string | Readable, options: UploadOptions = {}) {
  const headers: Record<string, string> = { ...(options.token ? bearer(options.token) : {}), ...options.headers };
  if (options.fileName !== undefined) headers['file-name'] = options.fileName;
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  return app.inject({ method: 'POST', url: '/uploads', headers, payload: body });
}

/**
 * Every blob the app's store holds, writes in progress included (temp files on disk, rows
 * without a key in PostgreSQL), listed through the adapter: so "nothing left behind" means the
 * same on every blob store.
 */
export const storedFiles = (t: TestApp): Promise<string[]> => t.app.core.ports.blobs.list();

/** The path of a response URL relative to the test PUBLIC_URL. */
export const pathOf = (url: string) => new URL(url).pathname;
