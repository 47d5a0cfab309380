/** Wire schemas of the native FILES API and of MediaInfo. */
import { Type } from 'typebox';
import { MEDIA_ID_PATTERN } from '../../core/media-names.js';

const MediaId = Type.String({
  pattern: MEDIA_ID_PATTERN,
  description: 'The upload’s name without its extension: a UUID, or the File-Name given at upload.',
});

export const MediaInfo = Type.Object({
  id: MediaId,
  fileType: Type.String({ description: 'The stored file’s extension, e.g. png.' }),
  fileSize: Type.Integer({ description: 'Bytes, as stored.' }),
  previewWidth: Type.Optional(Type.Integer()),
  previewHeight: Type.Optional(Type.Integer()),
  createdAt: Type.String({ format: 'date-time' }),
  url: Type.String({ description: 'Absolute URL of the file.' }),
  previewUrl: Type.Optional(Type.String({ description: 'Absolute URL of the JPEG preview (images only).' })),
});

export const UploadHeaders = Type.Object({
  'file-name': Type.Optional(Type.String({ description: 'Optional name [A-Za-z0-9_-]{1,64}, not ending in -preview; default a new UUID.' })),
  'content-type': Type.Optional(Type.String({ description: 'A MIME type (image/png) or a bare extension (png); checked against the bytes.' })),
});

export const UploadAnswer = Type.Object({
  name: Type.String({ description: '<name>.<ext>, the stored file name.' }),
  url: Type.String({ description: 'Absolute URL of the file.' }),
});

export const FileParams = Type.Object({ file: Type.String({ description: '<name>.<ext> or <name>-preview.jpeg' }) });

const MediaRef = Type.Object({
  id: MediaId,
  fileType: Type.Optional(Type.String({ maxLength: 32, description: 'Advisory; the server’s record wins.' })),
  fileSize: Type.Optional(Type.Integer({ minimum: 0, description: 'Advisory; the server’s record wins.' })),
});

/** The seed's `{<field>: {id, fileType, fileSize}}` body (`photo`, later `image`, `attachment`). */
export const AttachBody = <K extends string>(field: K) => Type.Object({ [field]: MediaRef } as Record<K, typeof MediaRef>);

export const MediaIdParams = Type.Object({ id: MediaId });
