/**
 * The V-app family (SPEC 3) under `VAPP_PREFIX`: its own error format and 404 answer, a V-app
 * user token on the protected routes (checked in `onRequest`, before any body is read), and
 * the only multipart parser in Parley: one file, at most UPLOAD_MAX_BYTES, streamed into the
 * media service.
 */
import multipart from '@fastify/multipart';
import type { Config } from '../../config.js';
import type { Core } from '../../core/index.js';
import type { Family } from '../../edge/family.js';
import { requireVappUser } from './vapp.auth.js';
import { avatarRoutes } from './vapp.avatars.js';
import { vappFormat } from './vapp.errors.js';
import type { VappOptions } from './options.js';
import { vappConversationRoutes } from './vapp.conversations.routes.js';
import { vappRoutes } from './vapp.routes.js';

/** The V-app family, built from the core and the configuration. */
export function vappFamily({ core, config }: { core: Core; config: Config }): Family {
  const options: VappOptions = { core, uploadMaxBytes: config.uploadMaxBytes, publicBase: `${config.publicUrl}${config.vappPrefix}` };
  return {
    name: 'vapp',
    prefix: config.vappPrefix,
    format: vappFormat,
    auth: { checks: { none: null, vapp: requireVappUser(core.vapp) }, hook: 'onRequest' },
    routes: async (app) => {
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
      await app.register(vappRoutes, options);
      await app.register(vappConversationRoutes, options);
      await app.register(avatarRoutes);
    },
  };
}
