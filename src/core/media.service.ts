/**
 * Uploads: streamed to the blob store under a server-checked name, sniffed, previewed when
 * they are images, and recorded as MediaInfo. Files are public at their (capability) URLs;
 * what this service guards is who may *attach* an upload, which only its uploader may.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { AppError, conflict, invalid, notFound } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import { UniqueViolation, type MediaRecord, type MediaUse, type Store } from '../ports/store.js';
import { createPreviewer } from './media-images.js';
import { blobKeysOf, checkFileName, fileNameOf, parseStoredName, PREVIEW_MIME, previewNameOf } from './media-names.js';
import { createMediaSweeper } from './media-sweep.js';
import { isPreviewable, resolveFileType, SNIFF_BYTES } from './media-types.js';
import { peek } from './peek.js';

export interface UploadInput {
  /** The `File-Name` header; a new UUID when absent. */
  fileName?: string | undefined;
  /** The `Content-Type` header: a MIME type or a bare extension. */
  declaredType?: string | undefined;
  /** The `Content-Length` header, when given: too large is refused before reading. */
  declaredLength?: number | undefined;
  /** Refuse (415) anything the bytes do not show to be a PNG, JPEG, GIF or WebP, before storing it. */
  imagesOnly?: boolean | undefined;
  body: Readable;
}

const onlyImages = () => new AppError('unsupported_media_type', 'Only images (PNG, JPEG, GIF, WebP) can be used here.');

/** A stored file ready to be served. */
export interface StoredFile {
  key: string;
  mime: string;
  size: number;
  /** Changes whenever the bytes behind the name could have changed. */
  version: string;
  /** Images are shown inline; everything else is a download. */
  inline: boolean;
}

export type MediaService = ReturnType<typeof createMediaService>;

export function createMediaService(deps: {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  maxBytes: number;
  unattachedTtlSeconds: number;
  /** Previews made at once (`IMAGE_CONCURRENCY`); default 2. */
  imageConcurrency?: number | undefined;
  /** How long an upload's claim lasts unless renewed (`UPLOAD_LEASE_SECONDS`); default 60. */
  uploadLeaseSeconds?: number | undefined;
}) {
  const { store, blobs, clock, maxBytes } = deps;
  const preview = createPreviewer(deps.imageConcurrency ?? 2);
  const leaseMs = (deps.uploadLeaseSeconds ?? 60) * 1000;
  const tooLarge = () => new AppError('too_large', `Uploads are limited to ${maxBytes} bytes.`);
  const sweeper = createMediaSweeper({ store, blobs, clock, ttlMs: deps.unattachedTtlSeconds * 1000, leaseMs });

  /**
   * Renews the lease of the upload `id` every third of a lease while `work` runs, so the
   * sweep never takes an upload that is alive (however slow its client or its preview).
   */
  async function holdingLease<T>(id: string, work: () => Promise<T>): Promise<T> {
    const renew = setInterval(() => void store.media.renewUploads([id], clock.now() + leaseMs).catch(() => {}), Math.max(250, leaseMs / 3));
    renew.unref();
    try {
      return await work();
    } finally {
      clearInterval(renew);
    }
  }

  /** Removes a failed upload's row and any bytes it left; never throws over the original error. */
  async function discard(media: MediaRecord) {
    await Promise.allSettled([store.media.delete(media.id), blobs.delete(blobKeysOf(media))]);
  }

  /** Stores the bytes (and the preview) of a reserved upload; returns its facts. */
  async function storeBytes(media: MediaRecord, body: Readable) {
    const { size } = await blobs.write(fileNameOf(media), body, { maxBytes });
    if (!isPreviewable(media.mime)) return { fileSize: size, width: null, height: null, previewWidth: null, previewHeight: null };
    // From the stored file, not a stream: sharp would collect a stream whole in memory.
    const image = await blobs.withFile(fileNameOf(media), preview);
    await blobs.write(previewNameOf(media), Readable.from([image.preview]), { maxBytes });
    return { fileSize: size, width: image.width, height: image.height, previewWidth: image.previewWidth, previewHeight: image.previewHeight };
  }

  /** Stores the bytes of a claimed placeholder; the sniffed type replaces the one the sender guessed. */
  async function fillPlaceholder(placeholder: MediaRecord, input: UploadInput): Promise<MediaRecord> {
    try {
      const { head, stream } = await peek(input.body, SNIFF_BYTES);
      if (head.length === 0) throw invalid([{ name: 'body', reason: 'must not be empty' }], 'The upload is empty.');
      const type = await resolveFileType(input.declaredType, head);
      const media = { ...placeholder, fileType: type.ext, mime: type.mime };
      const facts = await holdingLease(media.id, () => storeBytes(media, stream));
      if (!(await store.media.complete(media.id, facts, { fileType: type.ext, mime: type.mime }))) throw notFound('Upload');
      return { ...media, ...facts, ready: true };
    } catch (error) {
      await Promise.allSettled([blobs.delete(blobKeysOf(placeholder)), store.media.releasePlaceholder(placeholder.id)]);
      throw error;
    }
  }

  /** The caller's ready upload, checked for the use (images only where asked). */
  async function usableUpload(ownerId: number, mediaId: string, options: { imagesOnly?: boolean } = {}): Promise<MediaRecord> {
    const media = await findOwned(ownerId, mediaId);
    if (options.imagesOnly && !isPreviewable(media.mime)) throw onlyImages();
    return media;
  }

  async function findOwned(ownerId: number, mediaId: string): Promise<MediaRecord> {
    const media = await store.media.findById(mediaId);
    // Someone else's upload answers like a missing one (SPEC 2: 404 for what the caller may not see).
    if (!media?.ready || media.ownerId !== ownerId) throw notFound('Upload');
    return media;
  }

  return {
    /** Streams an upload to storage; resolves once the file and any preview are stored. */
    async upload(ownerId: number, input: UploadInput): Promise<MediaRecord> {
      if (input.fileName !== undefined) checkFileName(input.fileName);
      if (input.declaredLength !== undefined && input.declaredLength > maxBytes) throw tooLarge();
      const id = input.fileName ?? randomUUID();
      const existing = await store.media.findById(id);
      if (existing) {
        // A placeholder attachment (a message sent before its file) is filled by its owner.
        if (!(await store.media.claimPlaceholder(existing.id, ownerId, clock.now() + leaseMs))) throw conflict('File-Name', 'An upload with that name exists.');
        return fillPlaceholder(existing, input);
      }
      const { head, stream } = await peek(input.body, SNIFF_BYTES);
      if (head.length === 0) throw invalid([{ name: 'body', reason: 'must not be empty' }], 'The upload is empty.');
      const type = await resolveFileType(input.declaredType, head);
      if (input.imagesOnly && !isPreviewable(type.mime)) throw onlyImages();
      const media: MediaRecord = {
        id,
        ownerId,
        fileType: type.ext,
        mime: type.mime,
        fileSize: 0,
        width: null,
        height: null,
        previewWidth: null,
        previewHeight: null,
        ready: false,
        attachedAs: null,
        attachedAt: null,
        createdAt: clock.now(),
      };
      // The row goes in first: it reserves the id, so two uploads of one name never share a file.
      try {
        await store.media.insert({ ...media, uploadLeaseUntil: clock.now() + leaseMs });
      } catch (error) {
        if (error instanceof UniqueViolation) throw conflict('File-Name', 'An upload with that name exists.');
        throw error;
      }
      try {
        const facts = await holdingLease(id, () => storeBytes(media, stream));
        if (!(await store.media.complete(id, facts))) throw notFound('Upload');
        return { ...media, ...facts, ready: true };
      } catch (error) {
        await discard(media);
        throw error;
      }
    },

    /**
     * Attaches the caller's own upload as `use`; later chat images and message attachments
     * reuse this. Attaching it again as the same use is a no-op; as another use, 409.
     */
    async attach(ownerId: number, mediaId: string, use: MediaUse, options: { imagesOnly?: boolean; exclusive?: boolean } = {}): Promise<MediaRecord> {
      const media = await usableUpload(ownerId, mediaId, options);
      // A photo attached again is a no-op; an upload linked to one chat or message can't serve another.
      if (media.attachedAs === use && !options.exclusive) return media;
      const at = clock.now();
      if (media.attachedAs !== null || !(await store.media.attach(media.id, use, at))) {
        throw conflict('id', 'That upload is already in use.');
      }
      return { ...media, attachedAs: use, attachedAt: at };
    },

    /** The caller's ready upload, for a use that attaches it later (inside its own transaction). */
    usableUpload,

    /** Deletes an upload of the caller's that was never attached, with its files (an upload whose use then failed). */
    async discard(ownerId: number, mediaId: string): Promise<void> {
      const media = await findOwned(ownerId, mediaId);
      if (media.attachedAs !== null) throw conflict('id', 'That upload is in use.');
      if (await store.media.delete(media.id)) await blobs.delete(blobKeysOf(media));
    },

    /** Deletes an attached upload of the caller's and its files; 404 when it is not one. */
    async remove(ownerId: number, mediaId: string, use: MediaUse): Promise<void> {
      const media = await findOwned(ownerId, mediaId);
      if (media.attachedAs !== use || !(await store.media.delete(media.id))) throw notFound('Upload');
      await blobs.delete(blobKeysOf(media));
    },

    /** The users' uploads attached as `use`, newest first, by owner. */
    async attachedBy(ownerIds: number[], use: MediaUse): Promise<Map<number, MediaRecord[]>> {
      const byOwner = new Map<number, MediaRecord[]>(ownerIds.map((id) => [id, []]));
      for (const media of await store.media.listAttached([...new Set(ownerIds)], use)) byOwner.get(media.ownerId)?.push(media);
      return byOwner;
    },

    /** Resolves a requested name (`<id>.<ext>` or `<id>-preview.jpeg`) to a stored file. */
    async findFile(name: string): Promise<StoredFile | undefined> {
      const parsed = parseStoredName(name);
      const media = parsed && (await store.media.findById(parsed.id));
      if (!parsed || !media?.ready) return undefined;
      if (parsed.preview ? media.previewWidth === null : parsed.ext !== media.fileType) return undefined;
      const key = parsed.preview ? previewNameOf(media) : fileNameOf(media);
      const info = await blobs.stat(key);
      if (!info) return undefined;
      const version = `${media.id}-${media.createdAt.toString(36)}-${info.size.toString(36)}${parsed.preview ? '-p' : ''}`;
      const mime = parsed.preview ? PREVIEW_MIME : media.mime;
      return { key, mime, size: info.size, version, inline: parsed.preview || isPreviewable(media.mime) };
    },

    /** The bytes of a stored file, `range` inclusive. */
    readFile: (key: string, range?: { start: number; end: number }) => blobs.read(key, range),

    /** Every blob key of the owner's uploads (for account deletion: list first, delete the files after). */
    async fileKeysOf(ownerId: number): Promise<string[]> {
      return (await store.media.listByOwner(ownerId)).flatMap(blobKeysOf);
    },

    deleteFiles: (keys: string[]) => blobs.delete(keys),

    sweepUnattached: sweeper.sweep,
    sweepInterrupted: sweeper.sweepInterrupted,
    startSweeping: sweeper.start,
    stopSweeping: sweeper.stop,
  };
}
