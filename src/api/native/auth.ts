/**
 * How the native family checks each declared auth mode (src/edge/route-auth.ts): a native
 * access token (any transport, src/edge/credentials.ts) of a live session, an administrator's
 * session, or Basic credentials where the seed asks for them (account deletion); on
 * `session-optional` routes a token is checked when one comes, and the caller is anonymous otherwise.
 */
import type { FastifyRequest } from 'fastify';
import type { Core } from '../../core/index.js';
import type { Authenticated, SessionsService } from '../../core/sessions.service.js';
import { basicCredentials, bearerToken, type BasicCredentials } from '../../edge/credentials.js';
import type { AuthChecks } from '../../edge/route-auth.js';
import { unauthenticated } from '../../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on `session` and `admin` routes. */
    auth: Authenticated;
    /** Set on `basic` routes. */
    basic: BasicCredentials;
    /** Set on `session-optional` routes when a token came (and was good); undefined for an anonymous caller. */
    viewer?: Authenticated;
  }
}

/** A check that authenticates the request's token or answers 401. */
export function requireAuth(sessions: SessionsService) {
  return async (request: FastifyRequest) => {
    const token = bearerToken(request);
    if (token === undefined) throw unauthenticated();
    request.auth = await sessions.authenticate(token);
  };
}

/**
 * The native checks by mode, run in `preHandler` (after validation). Socket routes declare
 * `session` too, checked by the socket code before the upgrade (see src/edge/route-auth.ts).
 */
export function nativeAuthChecks(core: Core): AuthChecks {
  const session = requireAuth(core.sessions);
  return {
    none: null,
    basic: async (request) => {
      const basic = basicCredentials(request);
      if (!basic) throw unauthenticated('Basic credentials (username or email, and password) are required.');
      request.basic = basic;
    },
    session,
    'session-optional': async (request) => {
      const token = bearerToken(request);
      if (token !== undefined) request.viewer = await core.sessions.authenticate(token);
    },
    admin: async (request) => {
      await session(request);
      core.admin.assertAdmin(request.auth.user);
    },
  };
}
