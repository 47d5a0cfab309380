/**
 * How the native family checks each declared auth mode (src/edge/route-auth.ts): a native
 * access token (any transport, src/edge/credentials.ts) of a live session, an administrator's
 * session, or Basic credentials where the seed asks for them (account deletion); on
 * `session-optional` routes a token is checked when one comes, and the caller is anonymous otherwise.
 */
import type { FastifyRequest } from 'fastify';
import type { Core } from '../../core/index.js';
import type { BotsService } from '../../core/bots.service.js';
import type { Authenticated, SessionsService } from '../../core/sessions.service.js';
import { basicCredentials, bearerToken, credentialKind, type BasicCredentials } from '../../edge/credentials.js';
import { routeScopeOf, type AuthChecks } from '../../edge/route-auth.js';
import { forbidden, unauthenticated } from '../../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on `session` and `admin` routes; `scopes` when an API key authenticated (a bot). */
    auth: Authenticated & { scopes?: readonly string[] };
    /** Set on `basic` routes. */
    basic: BasicCredentials;
    /** Set on `session-optional` routes when a token came (and was good); undefined for an anonymous caller. */
    viewer?: Authenticated;
  }
}

/**
 * Authenticates `token`: an access token of a live session, or a bot's API key, which must
 * hold `scope` (403 otherwise).
 */
export async function authenticateToken(core: { sessions: SessionsService; bots?: BotsService }, token: string, scope: () => string) {
  if (!core.bots || credentialKind(token) !== 'apiKey') return core.sessions.authenticate(token);
  const auth = await core.bots.authenticate(token);
  const needed = scope();
  if (!auth.scopes.includes(needed)) throw forbidden(`This API key lacks the scope ${needed}.`);
  return auth;
}

/** A check that authenticates the request's token (or API key, within the route's scope) or answers 401. */
export function requireAuth(sessions: SessionsService, bots?: BotsService) {
  return async (request: FastifyRequest) => {
    const token = bearerToken(request);
    if (token === undefined) throw unauthenticated();
    request.auth = await authenticateToken({ sessions, bots }, token, () =>
      routeScopeOf(request.method, request.routeOptions.url ?? request.url, request.routeOptions.config),
    );
  };
}

/**
 * The native checks by mode, run in `preHandler` (after validation). Socket routes declare
 * `session` too, checked by the socket code before the upgrade (see src/edge/route-auth.ts).
 */
export function nativeAuthChecks(core: Core): AuthChecks {
  const session = requireAuth(core.sessions, core.bots);
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
