/**
 * How the native family finds the caller: the access token from `Authorization: Bearer`,
 * `x-access-token` or `?token=` (seed 004), and Basic credentials where the seed asks for
 * them (login, account deletion).
 */
import type { FastifyRequest } from 'fastify';
import type { Authenticated, SessionsService } from '../../core/sessions.service.js';
import type { LoginIdentifier } from '../../core/accounts.service.js';
import { unauthenticated } from '../../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireAuth` on authenticated routes. */
    auth: Authenticated;
  }
}

/** OpenAPI security of token routes: any of the three transports. */
export const TOKEN_SECURITY: Array<Record<string, string[]>> = [{ bearer: [] }, { accessTokenHeader: [] }, { accessTokenQuery: [] }];

/** The token from any of the three transports, first match wins; undefined when absent. */
export function tokenFrom(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match) return match[1];
  }
  const custom = request.headers['x-access-token'];
  if (typeof custom === 'string' && custom.trim() !== '') return custom.trim();
  const query = request.query as Record<string, unknown> | undefined;
  if (typeof query?.token === 'string' && query.token !== '') return query.token;
  return undefined;
}

/** A preHandler that authenticates the request or answers 401. */
export function requireAuth(sessions: SessionsService) {
  return async (request: FastifyRequest) => {
    const token = tokenFrom(request);
    if (token === undefined) throw unauthenticated();
    request.auth = await sessions.authenticate(token);
  };
}

/** Parses `Authorization: Basic`; a name with "@" is an email (usernames cannot hold one). */
export function basicCredentials(request: FastifyRequest): { id: LoginIdentifier; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  const name = decoded.slice(0, colon);
  // No account has a NUL in its name (and PostgreSQL could not even look one up).
  if (name.includes('\u0000')) return undefined;
  const password = decoded.slice(colon + 1);
  return { id: name.includes('@') ? { email: name } : { username: name }, password };
}
