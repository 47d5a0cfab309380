/**
 * What every socket route checks before the upgrade: the `Origin` allow-list, and the token,
 * which may also arrive as a `Sec-WebSocket-Protocol` value (browsers can't set headers).
 */
import type { FastifyRequest } from 'fastify';

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The offered subprotocols, in order. */
export function offeredProtocols(request: { headers: Record<string, string | string[] | undefined> }): string[] {
  const header = request.headers['sec-websocket-protocol'];
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  return raw.split(',').map((p) => p.trim()).filter(Boolean);
}

/** The first offered subprotocol that looks like a JWT: the token, echoed back on accept. */
export function tokenProtocol(protocols: Iterable<string>): string | undefined {
  for (const p of protocols) if (JWT.test(p)) return p;
  return undefined;
}

/** ws's `handleProtocols`: echo the token protocol so browsers accept the socket, else the first offered. */
export function chooseProtocol(protocols: Set<string>): string | false {
  return tokenProtocol(protocols) ?? protocols.values().next().value ?? false;
}

/** True when no allow-list is set, or the request's Origin is on it (a missing Origin is a non-browser client). */
export function originAllowed(request: FastifyRequest, origins: string[]): boolean {
  if (origins.length === 0) return true;
  const origin = request.headers.origin;
  return origin === undefined || origins.includes(origin);
}
