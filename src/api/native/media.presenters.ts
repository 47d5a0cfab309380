/** The native wire shapes of uploads: MediaInfo and the upload answer (SPEC 2, Files). */
import { fileNameOf, previewNameOf } from '../../core/media-names.js';
import type { MediaRecord } from '../../ports/store.js';

/** The absolute URL of a stored name; names are URL-safe by construction. */
export const fileUrl = (publicUrl: string, name: string) => `${publicUrl}/uploads/${name}`;

/** MediaInfo; the preview fields appear only for images. */
export function presentMedia(media: Pick<MediaRecord, 'id' | 'fileType' | 'fileSize' | 'previewWidth' | 'previewHeight' | 'createdAt'>, publicUrl: string) {
  const hasPreview = media.previewWidth !== null && media.previewHeight !== null;
  return {
    id: media.id,
    fileType: media.fileType,
    fileSize: media.fileSize,
    ...(hasPreview ? { previewWidth: media.previewWidth!, previewHeight: media.previewHeight! } : {}),
    createdAt: new Date(media.createdAt).toISOString(),
    url: fileUrl(publicUrl, fileNameOf(media)),
    ...(hasPreview ? { previewUrl: fileUrl(publicUrl, previewNameOf(media)) } : {}),
  };
}

export type MediaInfo = ReturnType<typeof presentMedia>;

/** The answer to `POST /uploads`. */
export function presentUpload(media: MediaRecord, publicUrl: string) {
  const name = fileNameOf(media);
  return { name, url: fileUrl(publicUrl, name) };
}
