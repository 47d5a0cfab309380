/**
 * Every way a caller hands Parley a credential, read in one place for every family: an access
 * token from `Authorization: Bearer`, `x-access-token` or `?token=` (seed 004's transports), a
 * token offered as a `Sec-WebSocket-Protocol` value (browsers cannot set headers on a socket),
 * and `Authorization: Basic` name and password; a bearer value may also be a bot's API key
 * (`credentialKind`). Reading only: what a token is worth is the
 * core's call (sessions, V-app tokens).
 */
import type { FastifyRequest } from 'fastify';
import type { LoginIdentifier } from '../core/accounts.service.js';

/** What the readers look at: headers and the parsed query string. */
type CredentialSource = Pick<FastifyRequest, 'headers' | 'query'>;

/** OpenAPI security of token routes: any of the three HTTP transports. */
export const TOKEN_SECURITY: Array<Record<string, string[]>> = [{ bearer: [] }, { accessTokenHeader: [] }, { accessTokenQuery: [] }];

/** A subprotocol value that can carry a token: a JWT's three base64url parts. */
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The access token from `Authorization: Bearer`, `x-access-token` or `?token=`, first match
 * wins; undefined when none holds one.
 */
export function bearerToken(request: CredentialSource): string | undefined {
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

/**
 * What kind of credential a bearer value is: a bot's API key (`pk_<id>_<secret>`, see
 * core/bots.service.ts) or an access token (a JWT).
 */
export function credentialKind(token: string): 'apiKey' | 'accessToken' {
  return token.startsWith('pk_') ? 'apiKey' : 'accessToken';
}

/** The offered `Sec-WebSocket-Protocol` values, in order. */
export function offeredProtocols(request: Pick<CredentialSource, 'headers'>): string[] {
  const header = request.headers['sec-websocket-protocol'];
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The first offered subprotocol that looks like a JWT: the token, echoed back on accept. */
export function tokenProtocol(protocols: Iterable<string>): string | undefined {
  for (const p of protocols) if (JWT.test(p)) return p;
  return undefined;
}

/**
 * The token of a socket upgrade: any HTTP transport first, else an offered subprotocol.
 *
 * @example
 * const token = socketToken(request);
 * if (token === undefined) throw unauthenticated();
 */
export function socketToken(request: CredentialSource): string | undefined {
  return bearerToken(request) ?? tokenProtocol(offeredProtocols(request));
}

/** ws's `handleProtocols`: echo the token protocol so browsers accept the socket, else the first offered. */
export function chooseProtocol(protocols: Set<string>): string | false {
  return tokenProtocol(protocols) ?? protocols.values().next().value ?? false;
}

/** Login credentials from `Authorization: Basic`. */
export interface BasicCredentials {
  /** A name with "@" is an email (usernames cannot hold one), else a username. */
  id: LoginIdentifier;
  password: string;
}

/** Parses `Authorization: Basic`; undefined when absent, malformed, or the name is empty or holds NUL. */
export function basicCredentials(request: Pick<CredentialSource, 'headers'>): BasicCredentials | undefined {
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
