/**
 * Image previews with sharp (libvips). Decoding runs on libuv's threadpool, so a preview
 * never blocks the event loop; the pixel limit refuses decompression bombs (a few KB of
 * PNG that would decode to gigabytes) from their header, before any pixels are decoded.
 *
 * Memory (issue 24): sharp collects a streamed input whole before decoding, so previews are
 * made from the stored file, which libvips reads in strips (sequential access), and only a
 * few run at once (`IMAGE_CONCURRENCY`); the others wait with nothing but their file on disk.
 * 20 concurrent 36 MB PNGs took RSS from ~160 MiB to over 1 GiB before this.
 */
import pLimit from 'p-limit';
import type Sharp from 'sharp';
import { AppError } from '../errors.js';

/** Largest image accepted, in pixels (50 MP: a 8660×5773 photo; well above phone cameras). */
export const MAX_INPUT_PIXELS = 50_000_000;
/** A preview's longest side; smaller images are never upscaled. */
export const PREVIEW_MAX_SIDE = 512;
const PREVIEW_QUALITY = 80;

/** sharp (libvips) loads with the first preview: imported up front it cost ~150 ms of every cold start. */
let loading: Promise<typeof Sharp> | undefined;
const loadSharp = () =>
  (loading ??= import('sharp').then(({ default: sharp }) => {
    // Every upload is a different image, so libvips' operation cache would only hold memory.
    sharp.cache(false);
    return sharp;
  }));

export interface ImagePreview {
  /** The original's size as displayed (EXIF orientation applied). */
  width: number;
  height: number;
  preview: Buffer;
  previewWidth: number;
  previewHeight: number;
}

/** Makes previews with at most `concurrency` at once; the rest queue in order. */
export function createPreviewer(concurrency: number): (file: string) => Promise<ImagePreview> {
  const limit = pLimit(Math.max(1, concurrency));
  return (file) => limit(() => makePreview(file));
}

/**
 * Reads the image in `file` and makes its preview: EXIF orientation applied, longest side
 * at most `PREVIEW_MAX_SIDE`, transparency flattened onto white, JPEG, and no metadata
 * (sharp drops EXIF, XMP and ICC unless asked to keep them). Throws 422 for an image over
 * `MAX_INPUT_PIXELS` or one that cannot be decoded.
 */
export async function makePreview(file: string): Promise<ImagePreview> {
  const sharp = await loadSharp();
  const options = { limitInputPixels: MAX_INPUT_PIXELS, sequentialRead: true, failOn: 'error' } as const;
  try {
    // The header alone for the size, then one decoding pass, strip by strip, for the preview.
    const meta = await sharp(file, options).metadata();
    const { data, info } = await sharp(file, options)
      .rotate()
      .resize(PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: PREVIEW_QUALITY, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    const oriented = meta.autoOrient;
    return {
      width: oriented?.width ?? meta.width ?? info.width,
      height: oriented?.height ?? meta.height ?? info.height,
      preview: data,
      previewWidth: info.width,
      previewHeight: info.height,
    };
  } catch (error) {
    throw refusal(error);
  }
}

function refusal(error: unknown): unknown {
  // Errors with a code come from reading the stored file, not from the image: pass them on.
  if ((error as NodeJS.ErrnoException).code !== undefined) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) {
    return new AppError('unprocessable', `The image has more than ${MAX_INPUT_PIXELS} pixels.`);
  }
  return new AppError('unprocessable', 'The image could not be decoded.');
}
