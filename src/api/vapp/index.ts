/**
 * The V-app family (SPEC 3), registered by app.ts under `VAPP_PREFIX`. Its scope has its own
 * error format and 404 answer, and the only multipart parser in Parley: one file, at most
 * UPLOAD_MAX_BYTES, streamed into the media service.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.js';
import { useVappErrors } from './vapp.errors.js';
import { vappRoutes } from './vapp.routes.js';

export interface VappOptions {
  core: Core;
  uploadMaxBytes: number;
}

/** Registers the V-app family; app.ts gives it the `VAPP_PREFIX` prefix. */
export async function vappApi(app: FastifyInstance, options: VappOptions) {
  useVappErrors(app);
  await app.register(multipart, {
    limits: {
      // One byte over the limit reaches the media service, whose byte count answers 413:
      // busboy itself would silently truncate the file at the limit.
      fileSize: options.uploadMaxBytes + 1,
      files: 1,
      fields: 10,
      fieldSize: 1024,
      parts: 20,
      headerPairs: 100,
    },
  });
  // An answer sent before the body was read (400, 403, 413…) closes the connection, so the
  // server does not go on reading a body nobody will use.
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode >= 400 && !request.raw.complete) reply.header('connection', 'close');
  });
  await app.register(vappRoutes, { core: options.core, uploadMaxBytes: options.uploadMaxBytes });
}
