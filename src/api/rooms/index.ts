/** The rooms family at `/api/v1` (SPEC 4): its own envelope, HTTP routes and room sockets. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { Core } from '../../core/index.js';
import { Registry } from '../../realtime/registry.js';
import { useEnvelope } from './envelope.js';
import { roomsRoutes } from './rooms.routes.js';
import { roomsSocket, type RoomMember } from './rooms.socket.js';

export async function roomsApi(app: FastifyInstance, options: { core: Core; realtime: Config['realtime'] }) {
  useEnvelope(app);
  const members = new Registry<string, RoomMember>();
  await app.register(roomsRoutes, { core: options.core, liveCount: (room: string) => members.count(room) });
  await app.register(roomsSocket, { core: options.core, realtime: options.realtime, members });
}
