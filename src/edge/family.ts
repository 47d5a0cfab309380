/**
 * An API family: one wire format under one prefix, with its routes and, optionally, its
 * sockets. `app.ts` builds each family from the core and the configuration and registers the
 * list; each family gets its own encapsulated scope, so formats and auth hooks never mix.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { declareAuth, useRouteAuth, type RouteAuth, type RouteAuthOptions } from './route-auth.js';
import type { SocketDocs } from './socket-docs.js';
import { useWireFormat, type WireFormat } from './wire-format.js';

export interface Family {
  /** Short name, for logs and errors ("native", "vapp", "rooms"). */
  name: string;
  /** Where its routes live: '' for the root, else `/vapp`, `/api/v1`… */
  prefix: string;
  /** Its wire format's table. */
  format: WireFormat;
  /** How it checks each auth mode its routes declare, and in which hook. */
  auth: RouteAuthOptions;
  /**
   * Registers its HTTP routes, each declaring `config.auth`. Runs inside the family's scope,
   * after the format and the auth hook; scope-wide set-up (a body parser) goes here too.
   */
  routes: FastifyPluginAsync;
  /**
   * Its socket routes (upgrades), in the same scope, with the auth mode they share: the socket
   * code checks it before the upgrade, after the Origin.
   */
  sockets?: { auth: RouteAuth; routes: FastifyPluginAsync };
  /** Its sockets' part of the AsyncAPI document at `/asyncapi.json`. */
  socketDocs?: () => SocketDocs;
}

/**
 * Registers `family` in a scope of its own under its prefix: the wire format (its 404 too,
 * except at the root, whose 404 app.ts sets), the one auth hook, then routes and sockets.
 *
 * @example
 * for (const family of [nativeFamily(deps), vappFamily(deps)]) await registerFamily(app, family);
 */
export async function registerFamily(app: FastifyInstance, family: Family): Promise<void> {
  await app.register(
    async (scope) => {
      useWireFormat(scope, family.format, { notFound: family.prefix !== '' });
      useRouteAuth(scope, family.auth);
      await scope.register(family.routes);
      const sockets = family.sockets;
      if (sockets) {
        await scope.register(async (inner) => {
          declareAuth(inner, sockets.auth);
          await inner.register(sockets.routes);
        });
      }
    },
    { prefix: family.prefix },
  );
}
