/**
 * What an upload is: the type a client declares (`Content-Type`, a MIME type or a bare
 * extension such as `png`) checked against what its first bytes say (file-type). The
 * bytes win: a declared type they contradict is refused with 415, so a page can never pass
 * as an image, and only sniffed images are ever treated as images.
 */
import type * as FileTypeModule from 'file-type';
import mime from 'mime';
import { AppError, invalid } from '../errors.js';

/** file-type loads with the first upload: imported up front it cost ~100 ms of every cold start. */
let loading: Promise<typeof FileTypeModule> | undefined;
const loadFileType = () => (loading ??= import('file-type'));

/** How many leading bytes file-type needs to recognise most formats. */
export const SNIFF_BYTES = 4100;

/** Images that get a preview and may become photos; decided by sniffing, never by the header. */
export const PREVIEWABLE_MIMES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export interface FileType {
  /** The stored extension (`fileType` in MediaInfo). */
  ext: string;
  mime: string;
}

const OCTET_STREAM = 'application/octet-stream';
const EXTENSION = /^[a-z0-9]{1,10}$/;
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
/** Names clients use that are not the registered ones. */
const MIME_ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'audio/mp3': 'audio/mpeg',
};

/** The declared type, or undefined when none was given; a malformed one is a 400. */
function parseDeclared(header: string | undefined): { mime: string; ext?: string } | undefined {
  const raw = header?.split(';')[0]?.trim().toLowerCase();
  if (!raw) return undefined;
  if (EXTENSION.test(raw)) return { mime: mime.getType(raw) ?? OCTET_STREAM, ext: raw };
  if (!MIME_TYPE.test(raw)) {
    throw invalid([{ name: 'Content-Type', reason: 'must be a MIME type (image/png) or a file extension (png)' }]);
  }
  return { mime: MIME_ALIASES[raw] ?? raw };
}

/** The MIME type of a file extension (`application/octet-stream` when unknown). */
export const mimeOf = (ext: string) => mime.getType(ext) ?? OCTET_STREAM;

const topLevel = (type: string) => type.split('/')[0];
const extensionOf = (type: string) => {
  const ext = mime.getExtension(type);
  return ext && EXTENSION.test(ext) ? ext : 'bin';
};

/** Sniffed types that are only containers; a client's more specific name for them is kept. */
const CONTAINERS: ReadonlySet<string> = new Set(['application/zip', 'application/xml']);

/**
 * Whether bytes sniffed as `sniffed` may be stored as `declared`. Exact matches pass; so do
 * variants a client cannot be expected to name exactly: a zip-based document declared as
 * zip (or the reverse), SVG or other XML declared by its own name, text formats declared as
 * text, a QuickTime video declared as mp4. Images get no such leeway: the server parses
 * them and they are shown inline.
 */
function compatible(declared: string, sniffed: string): boolean {
  if (declared === sniffed || declared === OCTET_STREAM) return true;
  const [d, s] = [topLevel(declared), topLevel(sniffed)];
  if (sniffed === 'application/xml') return declared.endsWith('+xml') || declared.endsWith('/xml') || d === 'text';
  if (d === 'image' || s === 'image') return false;
  if (declared === 'application/zip' || sniffed === 'application/zip') return d === 'application' && s === 'application';
  return d === s && (s === 'audio' || s === 'video' || s === 'text');
}

/**
 * Decides the stored type of an upload from its declared `Content-Type` and its first
 * bytes (`sample`, up to `SNIFF_BYTES`). Throws 400 for a malformed header and 415 when the
 * bytes contradict the declaration.
 */
export async function resolveFileType(declaredHeader: string | undefined, sample: Uint8Array): Promise<FileType> {
  const declared = parseDeclared(declaredHeader);
  const { fileTypeFromBuffer, supportedMimeTypes } = await loadFileType();
  const sniffed = await fileTypeFromBuffer(sample);
  const contradiction = () => new AppError('unsupported_media_type', `The content is not ${declared?.mime ?? 'of the declared type'}.`);

  if (sniffed) {
    if (!declared || declared.mime === OCTET_STREAM) return { ext: sniffed.ext, mime: sniffed.mime };
    if (!compatible(declared.mime, sniffed.mime)) throw contradiction();
    const type = CONTAINERS.has(sniffed.mime) ? declared.mime : sniffed.mime;
    // A bare extension naming the same type (jpeg for jpg) is kept, as the original server does.
    if (declared.ext !== undefined && declared.mime === type) return { ext: declared.ext, mime: type };
    return { ext: type === sniffed.mime ? sniffed.ext : extensionOf(type), mime: type };
  }
  if (!declared) return { ext: 'bin', mime: OCTET_STREAM };
  // Formats with a reliable signature must carry it: "image/png" without PNG bytes is a lie.
  const signed = supportedMimeTypes.has(declared.mime as never) && ['image', 'video'].includes(topLevel(declared.mime)!);
  if (signed || declared.mime === 'application/pdf') throw contradiction();
  return { ext: declared.ext ?? extensionOf(declared.mime), mime: declared.mime };
}

/** True for types served inline and given previews. */
export const isPreviewable = (type: string) => PREVIEWABLE_MIMES.has(type);
