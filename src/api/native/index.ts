/** The native family at the root prefix. Its problem-details handlers are installed by app.ts as the default. */
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.js';
import { adminRoutes } from './admin.routes.js';
import { chatsRoutes } from './chats.routes.js';
import { contactsRoutes } from './contacts.routes.js';
import { messagesRoutes } from './messages.routes.js';
import { photosRoutes } from './photos.routes.js';
import { searchRoutes } from './search.routes.js';
import { uploadsRoutes } from './uploads.routes.js';
import { usersRoutes } from './users.routes.js';

export interface NativeOptions {
  core: Core;
  /** The base of absolute URLs (files, previews), from PUBLIC_URL, without a trailing slash. */
  publicUrl: string;
}

export async function nativeApi(app: FastifyInstance, options: NativeOptions) {
  await app.register(usersRoutes, options);
  await app.register(photosRoutes, options);
  await app.register(uploadsRoutes, options);
  await app.register(chatsRoutes, options);
  await app.register(messagesRoutes, options);
  await app.register(contactsRoutes, options);
  await app.register(searchRoutes, options);
  await app.register(adminRoutes, options);
}
