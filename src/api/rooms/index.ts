/**
 * The rooms family at `/api/v1` (SPEC 4): its own envelope, public HTTP routes and room
 * sockets (read-only without a token; a token that fails is refused).
 */
import type { Config } from '../../config.js';
import type { Core } from '../../core/index.js';
import type { Family } from '../../edge/family.js';
import type { Hub } from '../../realtime/hub.js';
import { envelope } from './envelope.js';
import { requireRoomsSession } from './rooms.auth.js';
import { roomsRecordRoutes } from './rooms.records.routes.js';
import { roomsRoutes } from './rooms.routes.js';
import { roomMembers, roomsSocket } from './rooms.socket.js';
import { roomsSocketDocs } from './rooms.asyncapi.js';

/** The rooms family, built from the core and the configuration. */
export function roomsFamily({ core, config, hub }: { core: Core; config: Config; hub: Hub }): Family {
  return {
    name: 'rooms',
    prefix: '/api/v1',
    format: envelope,
    // Most HTTP routes are public; the sockets check their optional token before the upgrade.
    auth: { checks: { none: null, session: requireRoomsSession(core), 'session-optional': null } },
    routes: async (app) => {
      await app.register(roomsRoutes, { core, live: { count: (room) => hub.roomCount(room), members: (room) => roomMembers(hub, room) } });
      await app.register(roomsRecordRoutes, { core });
    },
    sockets: {
      auth: 'session-optional',
      routes: async (app) => void (await app.register(roomsSocket, { core, realtime: config.realtime, hub })),
    },
    socketDocs: roomsSocketDocs,
  };
}
