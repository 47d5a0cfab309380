/**
 * The `Origin` allow-list every socket route checks before the upgrade (the token is read by
 * src/edge/credentials.ts, subprotocol included).
 */
import type { FastifyRequest } from 'fastify';

/** True when no allow-list is set, or the request's Origin is on it (a missing Origin is a non-browser client). */
export function originAllowed(request: FastifyRequest, origins: string[]): boolean {
  if (origins.length === 0) return true;
  const origin = request.headers.origin;
  return origin === undefined || origins.includes(origin);
}
