/**
 * How the V-app finds its caller: a Vonage user token from `Authorization: Bearer`,
 * `x-access-token` or `?token=` (seed 004's transports), verified on every protected route
 * (the original backend only decoded it). Checked in `onRequest`, before any body is read.
 */
import type { FastifyRequest } from 'fastify';
import type { VappService } from '../../core/vapp.service.js';
import type { UserRecord } from '../../ports/store.js';
import { tokenError, unauthorized } from './vapp.errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on protected V-app routes. */
    vappUser: UserRecord;
  }
}

/** The token from any of the three transports, first match wins; undefined when absent. */
function tokenOf(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (match) return match[1];
  const header = request.headers['x-access-token'];
  if (typeof header === 'string' && header.trim() !== '') return header.trim();
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.token === 'string' && query.token !== '' ? query.token : undefined;
}

/**
 * An `onRequest` hook: no token is 400 `auth:missingtoken`; a bad signature, another kind of
 * token (a native access token), a wrong algorithm or an expired token is 400
 * `auth:badtoken`; a token without `user_id` 400 `auth:missinguserid`; a good token whose
 * account is gone 403 `auth:unauthorized` (as the seed answers for an unknown user).
 */
export function requireVappUser(vapp: VappService) {
  return async (request: FastifyRequest) => {
    const token = tokenOf(request);
    if (token === undefined) throw tokenError('missingtoken');
    const auth = await vapp.authenticate(token);
    if (auth.ok) {
      request.vappUser = auth.user;
      return;
    }
    throw auth.problem === 'unknownuser' ? unauthorized() : tokenError(auth.problem);
  };
}
