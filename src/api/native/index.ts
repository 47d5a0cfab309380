/** The native family at the root prefix. Its problem-details handlers are installed by app.ts as the default. */
import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/index.js';
import { usersRoutes } from './users.routes.js';

export async function nativeApi(app: FastifyInstance, options: { core: Core }) {
  await app.register(usersRoutes, options);
}
