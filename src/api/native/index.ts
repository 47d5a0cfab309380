/** The native family at the root prefix. Its problem-details handlers are installed by app.ts as the default. */
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.js';
import { chatsRoutes } from './chats.routes.js';
import { contactsRoutes } from './contacts.routes.js';
import { messagesRoutes } from './messages.routes.js';
import { usersRoutes } from './users.routes.js';

export async function nativeApi(app: FastifyInstance, options: { core: Core; publicUrl: string }) {
  await app.register(usersRoutes, options);
  await app.register(chatsRoutes, options);
  await app.register(messagesRoutes, options);
  await app.register(contactsRoutes, options);
}
