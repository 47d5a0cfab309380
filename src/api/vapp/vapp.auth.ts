/**
 * How the V-app checks its `vapp` routes: a Vonage user token from any of seed 004's
 * transports (src/edge/credentials.ts), verified on every protected route (the original
 * backend only decoded it). Checked in `onRequest`, before any body is read.
 */
import type { FastifyRequest } from 'fastify';
import { bearerToken } from '../../edge/credentials.js';
import type { VappService } from '../../core/vapp.service.js';
import type { UserRecord } from '../../ports/store.js';
import { tokenError, unauthorized } from './vapp.errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on protected V-app routes. */
    vappUser: UserRecord;
  }
}

/**
 * A token sent as the whole `Authorization` header, without a scheme (expressa's clients
 * do so, and the original V-app backend accepted it): one word that is not a scheme name
 * followed by credentials. Undefined otherwise.
 */
export function bareAuthorizationToken(request: Pick<FastifyRequest, 'headers'>): string | undefined {
  const match = /^\s*(\S+)\s*$/.exec(request.headers.authorization ?? '');
  // A scheme alone ("Bearer", "Basic") still holds no token.
  return match && !/^(bearer|basic)$/i.test(match[1]!) ? match[1] : undefined;
}

/**
 * An `onRequest` hook: no token is 400 `auth:missingtoken`; a bad signature, another kind of
 * token (a native access token), a wrong algorithm or an expired token is 400
 * `auth:badtoken`; a token without `user_id` 400 `auth:missinguserid`; a good token whose
 * account is gone 403 `auth:unauthorized` (as the seed answers for an unknown user).
 */
export function requireVappUser(vapp: VappService) {
  return async (request: FastifyRequest) => {
    const token = bearerToken(request) ?? bareAuthorizationToken(request);
    if (token === undefined) throw tokenError('missingtoken');
    const auth = await vapp.authenticate(token);
    if (auth.ok) {
      request.vappUser = auth.user;
      return;
    }
    throw auth.problem === 'unknownuser' ? unauthorized() : tokenError(auth.problem);
  };
}
