/** Health, readiness and the public signing keys. */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Core } from '../../core/index.js';

/** Health, readiness and public keys are for anyone (probes, token verifiers). */
const none = { auth: 'none' } as const;
const Status = Type.Object({ status: Type.String(), checks: Type.Optional(Type.Record(Type.String(), Type.String())) });

/**
 * `failureWindowMs`: `/readyz` answers 503 this long after a request failed because the
 * database was down or the disk full (edge/outages.ts), even if the store answers its ping:
 * a full disk refuses writes while reads still work.
 */
export async function systemRoutes(app: FastifyInstance, { core, failureWindowMs = 30_000 }: { core: Core; failureWindowMs?: number }) {
  app.get('/healthz', { config: none, schema: { tags: ['system'], summary: 'Liveness: 200 once the server is up', response: { 200: Status } } }, async () => ({
    status: 'ok',
  }));

  app.get(
    '/readyz',
    {
      config: none,
      schema: {
        tags: ['system'],
        summary: 'Readiness: 200 when the store and the bus answer and no write failed lately, else 503',
        response: { 200: Status, 503: Status },
      },
    },
    async (_request, reply) => {
      const check = async (ping: () => Promise<void>) => {
        try {
          await Promise.race([ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref())]);
          return 'ok';
        } catch (error) {
          return `down: ${error instanceof Error ? error.message : String(error)}`;
        }
      };
      const failed = app.outages?.recent(failureWindowMs);
      const writes = failed ? `failing: ${failed.kind === 'full' ? 'out of storage space' : 'the database was unavailable'} ${failed.secondsAgo} s ago` : 'ok';
      const checks = { store: await check(core.ports.store.ping), bus: await check(core.ports.bus.ping), writes };
      const ready = Object.values(checks).every((c) => c === 'ok');
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks });
    },
  );

  app.get(
    '/.well-known/jwks.json',
    {
      config: none,
      schema: { tags: ['system'], summary: 'Public keys that verify access tokens' },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return core.tokens.jwks();
    },
  );
}
