/**
 * The edge's family seam on a bare Fastify server: every route must declare its auth (a
 * route without one, or with a mode its family does not serve, fails the start), the family's
 * one hook runs the declared mode's check, socket routes are left to the socket code, and the
 * one wire-format installer answers from the family's table.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerFamily, type Family } from '../src/edge/family.js';
import { declareAuth, requireAuthDeclarations, routeAuthOf } from '../src/edge/route-auth.js';
import type { WireFormat } from '../src/edge/wire-format.js';
import { AppError, rateLimited, unauthenticated } from '../src/errors.js';

/** A format that shows which table entry answered. */
const tableFormat: WireFormat = {
  appError: (e) => ({ status: e.status, body: { from: 'appError', code: e.code }, retryAfterSeconds: e.details.retryAfterSeconds }),
  validation: (errors, context) => ({
    status: 422,
    body: { from: 'validation', context, fields: errors.map((e) => e.instancePath || e.params.missingProperty) },
  }),
  requestError: (e) => (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? { status: 400, body: { from: 'requestError' } } : undefined),
  badRequest: (status) => ({ status, body: { from: 'badRequest' } }),
  notFound: (method, path) => ({ status: 404, body: { from: 'notFound', method, path } }),
  internal: { status: 500, body: { from: 'internal' } },
  headers: (a) => (a.status === 401 ? { 'www-authenticate': 'Test' } : undefined),
};

function family(routes: Family['routes'], extra: Partial<Family> = {}): Family {
  return {
    name: 'test',
    prefix: '/t',
    format: tableFormat,
    auth: {
      checks: {
        none: null,
        session: async (request) => {
          if (request.headers.authorization !== 'Bearer good') throw unauthenticated();
        },
      },
    },
    routes,
    ...extra,
  };
}

async function appWith(f: Family, root?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  requireAuthDeclarations(app);
  root?.(app);
  await registerFamily(app, f);
  return app;
}

describe('edge: route auth declarations', () => {
  it('a family route without a declaration fails the start, naming the route', async () => {
    const app = await appWith(
      family(async (s) => {
        s.get('/declared', { config: { auth: 'none' } }, async () => ({}));
        s.get('/forgotten', async () => ({}));
      }),
    );
    await assert.rejects(async () => void (await app.ready()), /auth.*GET \/t\/forgotten|GET \/t\/forgotten declares no auth/);
    await app.close();
  });

  it('a mode the family does not serve fails the start', async () => {
    const app = await appWith(family(async (s) => void s.get('/v', { config: { auth: 'vapp' } }, async () => ({}))));
    await assert.rejects(async () => void (await app.ready()), /GET \/t\/v declares auth 'vapp', which its family does not serve/);
    await app.close();
  });

  it('a route outside any family without a declaration fails the start; declareAuth fills plugins’ routes', async () => {
    const bare = await appWith(
      family(async () => {}),
      (app) => app.get('/outside', async () => ({})),
    );
    await assert.rejects(async () => void (await bare.ready()), /routes without an auth declaration \(config\.auth\): GET \/outside/);
    await bare.close();
    const filled = await appWith(
      family(async () => {}),
      (app) => {
        void app.register(async (plugin) => {
          declareAuth(plugin, 'none');
          plugin.get('/docs-like', async () => ({ ok: true }));
        });
      },
    );
    await filled.ready();
    assert.equal((await filled.inject('/docs-like')).statusCode, 200);
    await filled.close();
  });

  it('the family hook runs the declared mode’s check; socket routes are left to the socket code', async () => {
    const seen: unknown[] = [];
    const app = await appWith(
      family(
        async (s) => {
          s.get('/open', { config: { auth: 'none' } }, async () => ({ open: true }));
          s.get('/closed', { config: { auth: 'session' } }, async () => ({ closed: true }));
        },
        {
          sockets: {
            auth: 'session',
            routes: async (s) => {
              s.addHook('onRoute', (route) => void seen.push(route));
              // Stands for an upgrade route: its own code checks Origin, then the token.
              s.route({ method: 'GET', url: '/sock', websocket: true, handler: async () => ({ reached: true }) } as never);
            },
          },
        },
      ),
    );
    await app.ready();
    assert.equal((await app.inject('/t/open')).statusCode, 200);
    const refused = await app.inject('/t/closed');
    assert.equal(refused.statusCode, 401);
    assert.deepEqual(refused.json(), { from: 'appError', code: 'unauthenticated' });
    assert.equal(refused.headers['www-authenticate'], 'Test');
    assert.equal((await app.inject({ url: '/t/closed', headers: { authorization: 'Bearer good' } })).json().closed, true);
    assert.equal((await app.inject('/t/sock')).json().reached, true, 'the family hook does not check socket routes');
    assert.equal(routeAuthOf(seen[0] as never), 'session', 'socket routes get the family’s socket mode');
    await app.close();
  });
  it('resolves each route’s check when it is registered: public routes get no hook, HEAD and routes declared later by a nested scope are checked, a route’s own hooks run after', async () => {
    const order: string[] = [];
    const routes = new Map<string, { preHandler?: unknown }>();
    const app = await appWith(
      family(async (s) => {
        s.addHook('onRoute', (route) => void routes.set(`${route.method} ${route.url}`, route));
        s.get('/open', { config: { auth: 'none' } }, async () => ({ open: true }));
        s.get('/closed', { config: { auth: 'session' }, preHandler: async () => void order.push('route hook') }, async () => {
          order.push('handler');
          return { closed: true };
        });
        // A plugin's route that cannot declare its mode: a nested scope gives it after the family's onRoute ran.
        await s.register(async (inner) => {
          declareAuth(inner, 'session');
          inner.get('/late', async () => ({ late: true }));
        });
      }),
    );
    await app.ready();
    assert.equal(routes.get('GET /t/open')?.preHandler, undefined, 'a public route gets no auth hook');
    assert.equal((await app.inject('/t/open')).statusCode, 200);
    assert.equal((await app.inject({ method: 'HEAD', url: '/t/closed' })).statusCode, 401, 'the HEAD route Fastify adds is checked too');
    assert.equal((await app.inject('/t/closed')).statusCode, 401);
    assert.deepEqual(order, [], 'neither the route’s own hook nor the handler ran for a refused request');
    assert.equal((await app.inject({ url: '/t/closed', headers: { authorization: 'Bearer good' } })).statusCode, 200);
    assert.deepEqual(order, ['route hook', 'handler']);
    assert.equal((await app.inject('/t/late')).statusCode, 401, 'a mode declared after registration is enforced');
    assert.equal((await app.inject({ url: '/t/late', headers: { authorization: 'Bearer good' } })).json().late, true);
    await app.close();
  });
});

describe('edge: one wire-format installer', () => {
  it('answers every kind of failure from the family’s table, and masks the unexpected', async () => {
    const app = await appWith(
      family(async (s) => {
        const none = { auth: 'none' } as const;
        s.get('/limited', { config: none }, async () => {
          throw rateLimited(7);
        });
        s.post('/typed', { config: none, schema: { body: { type: 'object', required: ['a'], properties: { a: { type: 'integer' } } } } }, async () => ({}));
        s.get('/teapot', { config: none }, async () => {
          throw Object.assign(new Error('short and stout'), { statusCode: 418 });
        });
        s.get('/broken', { config: none }, async () => {
          throw new Error('secret internals');
        });
        s.get('/own', { config: none }, async () => {
          throw new AppError('conflict', 'taken');
        });
      }),
    );
    await app.ready();
    const limited = await app.inject('/t/limited');
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers['retry-after'], '7');
    assert.deepEqual(limited.json(), { from: 'appError', code: 'rate_limited' });
    const invalid = await app.inject({ method: 'POST', url: '/t/typed', payload: {} });
    assert.deepEqual([invalid.statusCode, invalid.json()], [422, { from: 'validation', context: 'body', fields: ['a'] }]);
    const badJson = await app.inject({ method: 'POST', url: '/t/typed', headers: { 'content-type': 'application/json' }, payload: '{' });
    assert.deepEqual([badJson.statusCode, badJson.json()], [400, { from: 'requestError' }]);
    const teapot = await app.inject('/t/teapot');
    assert.deepEqual([teapot.statusCode, teapot.json()], [418, { from: 'badRequest' }]);
    const broken = await app.inject('/t/broken');
    assert.deepEqual([broken.statusCode, broken.json()], [500, { from: 'internal' }]);
    assert.ok(!broken.body.includes('secret'));
    assert.deepEqual((await app.inject('/t/own')).json(), { from: 'appError', code: 'conflict' });
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      const missing = await app.inject({ method, url: '/t/nothing?x=1' });
      assert.deepEqual([missing.statusCode, missing.json()], [404, { from: 'notFound', method, path: '/t/nothing' }]);
    }
    await app.close();
  });
});
