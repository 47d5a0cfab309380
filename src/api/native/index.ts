/**
 * The native family (SPEC 2, seed 001) at the root prefix and again under `/api`: problem details, a native access
 * token on most routes, and the native socket. Its format is also app.ts's default (system
 * routes, unknown paths).
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { Core } from '../../core/index.js';
import type { Family } from '../../edge/family.js';
import type { Hub } from '../../realtime/hub.js';
import { adminRoutes } from './admin.routes.js';
import { botsRoutes } from './bots.routes.js';
import { nativeAuthChecks } from './auth.js';
import { chatsRoutes } from './chats.routes.js';
import { contactsRoutes } from './contacts.routes.js';
import { incomingHooksRoutes } from './incoming-hooks.routes.js';
import { messageExtrasRoutes } from './message-extras.routes.js';
import { messagesRoutes } from './messages.routes.js';
import { moderationRoutes } from './moderation.routes.js';
import { blocksRolesRoutes } from './blocks-roles.routes.js';
import { oidcRoutes } from './oidc.routes.js';
import { API_PREFIX, type NativeOptions } from './options.js';
import { photosRoutes } from './photos.routes.js';
import { presenceRoutes } from './presence.routes.js';
import { privacyRoutes } from './privacy.routes.js';
import { problemDetails } from './problem.js';
import { searchRoutes } from './search.routes.js';
import { twoFactorRoutes } from './two-factor.routes.js';
import { nativeSocket } from './socket.gateway.js';
import { nativeSocketDocs } from './socket.asyncapi.js';
import { uploadsRoutes } from './uploads.routes.js';
import { usersRoutes } from './users.routes.js';
import { webhooksRoutes } from './webhooks.routes.js';

/** The native family, built from the core and the configuration. */
export function nativeFamily({ core, config, hub }: { core: Core; config: Config; hub: Hub }): Family {
  const options: NativeOptions = { core, publicUrl: config.publicUrl, publicProfiles: config.publicProfiles };
  return {
    name: 'native',
    prefix: '',
    format: problemDetails,
    auth: { checks: nativeAuthChecks(core), hook: 'preHandler' },
    routes: async (app) => {
      const routes = async (scope: FastifyInstance) => {
        await scope.register(usersRoutes, options);
        await scope.register(twoFactorRoutes, options);
        await scope.register(photosRoutes, options);
        await scope.register(uploadsRoutes, options);
        await scope.register(chatsRoutes, options);
        await scope.register(messagesRoutes, options);
        await scope.register(messageExtrasRoutes, options);
        await scope.register(contactsRoutes, options);
        await scope.register(presenceRoutes, options);
        await scope.register(blocksRolesRoutes, options);
        await scope.register(searchRoutes, options);
        await scope.register(adminRoutes, options);
        await scope.register(moderationRoutes, options);
        await scope.register(privacyRoutes, options);
        await scope.register(webhooksRoutes, options);
        await scope.register(botsRoutes, options);
        await scope.register(incomingHooksRoutes, options);
      };
      await app.register(routes);
      // Upstream's current web app calls the same API under `/api/…` (Public/app/js/api.js).
      await app.register(routes, { prefix: API_PREFIX });
      // At the root only: the callback is the URL registered with the provider.
      await app.register(oidcRoutes, options);
    },
    sockets: {
      auth: 'session',
      routes: async (app) => void (await app.register(nativeSocket, { core, publicUrl: config.publicUrl, realtime: config.realtime, hub })),
    },
    socketDocs: nativeSocketDocs,
  };
}
