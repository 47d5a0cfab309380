/**
 * Image previews with sharp (libvips). Decoding runs on libuv's threadpool, so a preview
 * never blocks the event loop; the pixel limit refuses decompression bombs (a few KB of
 * PNG that would decode to gigabytes) from their header, before any pixels are decoded.
 */
import type { Readable } from 'node:stream';
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

/**
 * Reads an image from `source` and makes its preview: EXIF orientation applied, longest
 * side at most `PREVIEW_MAX_SIDE`, transparency flattened onto white, JPEG, and no metadata
 * (sharp drops EXIF, XMP and ICC unless asked to keep them). Throws 422 for an image over
 * `MAX_INPUT_PIXELS` or one that cannot be decoded.
 */
export async function makePreview(source: Readable): Promise<ImagePreview> {
  // sharp collects a streamed input in memory before decoding; uploads are bounded by
  // UPLOAD_MAX_BYTES, and the pixel limit bounds the decoded size.
  const sharp = await loadSharp();
  const input = sharp({ limitInputPixels: MAX_INPUT_PIXELS, sequentialRead: true, failOn: 'error' });
  const metadata = input.clone().metadata();
  const output = input
    .clone()
    .rotate()
    .resize(PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: PREVIEW_QUALITY, mozjpeg: true })
    .toBuffer({ resolveWithObject: true });
  source.on('error', (error) => input.destroy(error));
  source.pipe(input);
  const [meta, result] = await Promise.allSettled([metadata, output]);
  if (meta.status === 'rejected' || result.status === 'rejected') {
    const error = meta.status === 'rejected' ? meta.reason : (result as PromiseRejectedResult).reason;
    throw refusal(error);
  }
  const oriented = meta.value.autoOrient;
  return {
    width: oriented?.width ?? meta.value.width ?? result.value.info.width,
    height: oriented?.height ?? meta.value.height ?? result.value.info.height,
    preview: result.value.data,
    previewWidth: result.value.info.width,
    previewHeight: result.value.info.height,
  };
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
