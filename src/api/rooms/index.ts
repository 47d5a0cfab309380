/** The rooms family at `/api/v1` (SPEC 4): its own envelope, HTTP routes and room sockets. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { Core } from '../../core/index.js';
import type { Hub } from '../../realtime/hub.js';
import { useEnvelope } from './envelope.js';
import { roomsRoutes } from './rooms.routes.js';
import { roomsSocket } from './rooms.socket.js';

export async function roomsApi(app: FastifyInstance, options: { core: Core; hub: Hub; realtime: Config['realtime'] }) {
  useEnvelope(app);
  const { core, hub, realtime } = options;
  await app.register(roomsRoutes, { core, liveCount: (room: string) => hub.roomCount(room) });
  await app.register(roomsSocket, { core, hub, realtime });
}
