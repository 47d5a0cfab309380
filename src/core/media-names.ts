/**
 * How uploads are named. An upload's id is its `File-Name` (or a new UUID) and it is stored
 * as `<id>.<ext>`, an image's preview as `<id>-preview.jpeg`. These names are also the blob
 * keys and the public URLs, so they are checked strictly before anything touches storage.
 *
 * Decision: ids are not required to be UUIDs. SPEC 2 says media ids are UUID strings, but
 * it also lets `File-Name` be any `[A-Za-z0-9_-]{1,64}` and the id is that name, so the id
 * is accepted as given. A client-chosen name is only as unguessable as the client makes it;
 * the server's default (a random UUID) is the capability URL the SPEC has in mind.
 */
import { invalid } from '../errors.js';
import type { MediaRecord } from '../ports/store.js';

export const MEDIA_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const MEDIA_ID = new RegExp(MEDIA_ID_PATTERN);
const PREVIEW_SUFFIX = '-preview';
const PREVIEW_EXT = 'jpeg';
/** `<id>-preview.jpeg` or `<id>.<ext>`; nothing else is ever a stored name. */
const PREVIEW_NAME = /^([A-Za-z0-9_-]{1,64})-preview\.jpeg$/;
const FILE_NAME = /^([A-Za-z0-9_-]{1,64})\.([a-z0-9]{1,10})$/;

export const isMediaId = (id: string) => MEDIA_ID.test(id);

/**
 * Checks a client's `File-Name`. Names ending in `-preview` are refused: `x-preview.jpeg`
 * would be the preview of the upload `x`.
 */
export function checkFileName(name: string): void {
  if (!MEDIA_ID.test(name)) {
    throw invalid([{ name: 'File-Name', reason: 'must be 1 to 64 characters of A-Z, a-z, 0-9, "_" or "-"' }]);
  }
  if (name.toLowerCase().endsWith(PREVIEW_SUFFIX)) {
    throw invalid([{ name: 'File-Name', reason: `must not end in "${PREVIEW_SUFFIX}" (reserved for previews)` }]);
  }
}

/** The stored name of the upload itself. */
export const fileNameOf = (media: Pick<MediaRecord, 'id' | 'fileType'>) => `${media.id}.${media.fileType}`;

/** The stored name of an image's preview. */
export const previewNameOf = (media: Pick<MediaRecord, 'id'>) => `${media.id}${PREVIEW_SUFFIX}.${PREVIEW_EXT}`;

export const PREVIEW_MIME = 'image/jpeg';

/** Every blob an upload may have (its preview may not exist; deleting it is harmless). */
export const blobKeysOf = (media: Pick<MediaRecord, 'id' | 'fileType'>) => [fileNameOf(media), previewNameOf(media)];

/** Splits a requested name into the upload id and which file; undefined when malformed. */
export function parseStoredName(name: string): { id: string; preview: true } | { id: string; preview: false; ext: string } | undefined {
  const preview = PREVIEW_NAME.exec(name);
  if (preview) return { id: preview[1]!, preview: true };
  const file = FILE_NAME.exec(name);
  if (file) return { id: file[1]!, preview: false, ext: file[2]! };
  return undefined;
}
