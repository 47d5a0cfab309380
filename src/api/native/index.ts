/**
 * The native family (SPEC 2, seed 001) at the root prefix: problem details, a native access
 * token on most routes, and the native socket. Its format is also app.ts's default (system
 * routes, unknown paths).
 */
import type { Config } from '../../config.js';
import type { Core } from '../../core/index.js';
import type { Family } from '../../edge/family.js';
import type { Hub } from '../../realtime/hub.js';
import { adminRoutes } from './admin.routes.js';
import { nativeAuthChecks } from './auth.js';
import { chatsRoutes } from './chats.routes.js';
import { contactsRoutes } from './contacts.routes.js';
import { messagesRoutes } from './messages.routes.js';
import type { NativeOptions } from './options.js';
import { photosRoutes } from './photos.routes.js';
import { problemDetails } from './problem.js';
import { searchRoutes } from './search.routes.js';
import { nativeSocket } from './socket.gateway.js';
import { uploadsRoutes } from './uploads.routes.js';
import { usersRoutes } from './users.routes.js';

/** The native family, built from the core and the configuration. */
export function nativeFamily({ core, config, hub }: { core: Core; config: Config; hub: Hub }): Family {
  const options: NativeOptions = { core, publicUrl: config.publicUrl };
  return {
    name: 'native',
    prefix: '',
    format: problemDetails,
    auth: { checks: nativeAuthChecks(core), hook: 'preHandler' },
    routes: async (app) => {
      await app.register(usersRoutes, options);
      await app.register(photosRoutes, options);
      await app.register(uploadsRoutes, options);
      await app.register(chatsRoutes, options);
      await app.register(messagesRoutes, options);
      await app.register(contactsRoutes, options);
      await app.register(searchRoutes, options);
      await app.register(adminRoutes, options);
    },
    sockets: {
      auth: 'session',
      routes: async (app) => void (await app.register(nativeSocket, { core, publicUrl: config.publicUrl, realtime: config.realtime, hub })),
    },
  };
}
