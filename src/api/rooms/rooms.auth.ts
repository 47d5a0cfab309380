/**
 * How the rooms family checks its `session` routes, as the original server's JWT middleware
 * answered: no token is the anonymous user, who may not (403 NOT_AUTHORIZED); a token that
 * fails (forged, expired, revoked, another kind) is 400 INVALID_AUTH_TOKEN. The token is a
 * native access token (the rooms login issues one), from any transport.
 */
import type { FastifyRequest } from 'fastify';
import type { Core } from '../../core/index.js';
import type { Authenticated } from '../../core/sessions.service.js';
import { bearerToken } from '../../edge/credentials.js';
import { AppError } from '../../errors.js';
import { RoomsHttpError } from './envelope.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on the rooms family's `session` routes. */
    roomsAuth: Authenticated;
  }
}

/** The rooms `session` check. */
export function requireRoomsSession(core: Core) {
  return async (request: FastifyRequest) => {
    const token = bearerToken(request);
    if (token === undefined) throw new RoomsHttpError(403, 'NOT_AUTHORIZED', 'Sign in to do that.');
    try {
      request.roomsAuth = await core.sessions.authenticate(token);
    } catch (error) {
      if (error instanceof AppError && error.code === 'unauthenticated') throw new RoomsHttpError(400, 'INVALID_AUTH_TOKEN', 'Invalid Token');
      throw error;
    }
  };
}
