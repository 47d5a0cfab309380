/**
 * Prometheus scrapes at `GET /metrics`, and the hook that counts every HTTP request by its
 * route pattern (`/chats/:id`, not the raw URL, so the label set stays bounded).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { unauthenticated } from '../../errors.js';

/** What the route needs from the metrics adapter. */
export interface MetricsExposition {
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  scrape(): Promise<{ contentType: string; body: string }>;
}

/** Requests no route matched share one label, so scanners cannot blow up the series count. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Counts every answered request on `app` (call it on the root instance, before the routes).
 * `reply.elapsedTime` is Fastify's own timer: no clock read of ours per request.
 */
export function useRequestMetrics(app: FastifyInstance, exposition: MetricsExposition): void {
  // Each route counts under its pattern, known when it is registered: reading it per request
  // (`request.routeOptions`) builds an object each time. The app-wide hook counts what no
  // route matched (the not-found handler has no route of its own to carry a hook).
  app.addHook('onRoute', (route) => {
    const pattern = route.url;
    const own = route.onResponse;
    const count: OnResponse = (request, reply, done) => {
      exposition.observeRequest(request.method, pattern, reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
    route.onResponse = [...(own === undefined ? [] : Array.isArray(own) ? own : [own]), count] as typeof own;
  });
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (request.is404) exposition.observeRequest(request.method, UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

type OnResponse = (request: FastifyRequest, reply: FastifyReply, done: () => void) => void;

const digest = (text: string) => createHash('sha256').update(text).digest();

/** True when `header` is `Bearer <token>`; compared as SHA-256 digests, in constant time. */
export function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return timingSafeEqual(digest(match?.[1] ?? ''), expected) && match !== null;
}

/** `GET /metrics`, behind `Authorization: Bearer <token>` when `token` is set. */
export async function metricsRoutes(app: FastifyInstance, { exposition, token }: { exposition: MetricsExposition; token: string | undefined }) {
  const expected = token === undefined ? undefined : digest(token);
  app.get(
    '/metrics',
    {
      // No session: with METRICS_TOKEN set, the handler checks that token itself.
      config: { auth: 'none' },
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics (text exposition format); needs `Authorization: Bearer <METRICS_TOKEN>` when that is set',
        ...(token === undefined ? {} : { security: [{ bearer: [] }] }),
        response: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: Type.String() } } } },
      },
    },
    async (request, reply) => {
      if (expected !== undefined && !bearerMatches(request.headers.authorization, expected)) {
        throw unauthenticated('A valid metrics token is required: Authorization: Bearer <METRICS_TOKEN>.');
      }
      const { contentType, body } = await exposition.scrape();
      reply.header('cache-control', 'no-store');
      return reply.type(contentType).send(body);
    },
  );
}
