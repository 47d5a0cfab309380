/**
 * Auth declared on the route: every route says what it needs in `config.auth`, and each
 * family installs one hook that runs its check for that mode. A route without a declaration,
 * or with a mode its family does not handle, fails the start; the security suite reads the
 * same declarations (`routeAuthOf`) to know what to attack.
 *
 * @example
 * app.get('/users/me', { config: { auth: 'session' }, schema }, handler);
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

/**
 * What a route needs from its caller:
 * - `none`: nothing (public);
 * - `basic`: `Authorization: Basic` name and password;
 * - `session`: a native access token of a live device session;
 * - `session-optional`: anonymous without a token, a token that fails is refused (rooms sockets,
 *   the native public profile);
 * - `admin`: a session of an administrator;
 * - `vapp`: a V-app (Vonage user) token.
 */
export type RouteAuth = 'none' | 'basic' | 'session' | 'session-optional' | 'admin' | 'vapp';

/** Every mode, for checks and for the security suite. */
export const ROUTE_AUTH_MODES: readonly RouteAuth[] = ['none', 'basic', 'session', 'session-optional', 'admin', 'vapp'];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route needs from its caller (see src/edge/route-auth.ts). */
    auth?: RouteAuth;
    /**
     * The scope an API key needs for this route (`messages:write`); by default derived from
     * the method and path (`routeScopeOf`).
     */
    scope?: string;
    /**
     * Set on socket routes: their declaration is enforced by the socket code before the
     * upgrade, after the Origin check (a refused Origin is a 403 whatever the token).
     */
    socket?: boolean;
  }
}

/** A family's check for one mode: sets what the handler reads (e.g. `request.auth`) or throws. */
export type AuthCheck = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * How a family enforces each mode it serves. `null`: the mode is served, but checked elsewhere
 * (socket routes check before the upgrade, after the Origin; `none` needs nothing).
 */
export type AuthChecks = Partial<Record<RouteAuth, AuthCheck | null>>;

export interface RouteAuthOptions {
  /** The family's checks by mode; a route declaring a mode missing here fails the start. */
  checks: AuthChecks;
  /**
   * When the check runs: `preHandler` (after validation, so a bad request is a 400 before
   * credentials are looked at) or `onRequest` (before the body is read).
   */
  hook?: 'onRequest' | 'preHandler';
}

/** The route's declared mode, as the security suite reads it; undefined when it declares none. */
export function routeAuthOf(route: Pick<RouteOptions, 'config'>): RouteAuth | undefined {
  return (route.config as { auth?: RouteAuth } | undefined)?.auth;
}

/**
 * Installs a family's auth on its (encapsulated) scope: each route gets its mode's check as a
 * route-level hook when it is registered (routes whose check is `null`, public ones and
 * sockets, get none, so they pay nothing per request). The start fails (in `ready()`) when one
 * of the routes declares no mode, or one the family does not serve. The check runs after the
 * scope's own hooks of the same phase; no family has one that reads what the check sets.
 *
 * @example
 * useRouteAuth(app, { checks: { none: null, session: requireAuth(core.sessions) } });
 */
export function useRouteAuth(app: FastifyInstance, { checks, hook = 'preHandler' }: RouteAuthOptions): void {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    const socket = (route as { websocket?: boolean }).websocket === true;
    if (socket) route.config = { ...(route.config as object), socket: true } as RouteOptions['config'];
    routes.push(route);
    if (socket) return;
    const check = routeCheck(route, checks);
    if (check) route[hook] = [check, ...hooksOf(route[hook])];
  });
  // Checked once every route is in: a nested scope's `declareAuth` runs after this scope's onRoute.
  app.addHook('onReady', async () => {
    for (const route of routes) {
      const mode = routeAuthOf(route);
      const where = `${String(route.method)} ${route.url}`;
      if (mode === undefined) throw new Error(`${where} declares no auth (config.auth, see src/edge/route-auth.ts)`);
      if (!(mode in checks)) throw new Error(`${where} declares auth '${mode}', which its family does not serve`);
    }
  });
}

/** A hook in callback style (no promise per request for the hook runner). */
type CallbackHook = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => void;

/**
 * The route-level hook that runs `route`'s check, or undefined when its mode needs none. A mode
 * that a nested scope's `declareAuth` gives later is not known yet: that route's hook looks it
 * up on its first request (from the same route options, complete by then).
 */
function routeCheck(route: RouteOptions, checks: AuthChecks): CallbackHook | undefined {
  const mode = routeAuthOf(route);
  if (mode !== undefined) {
    const check = checks[mode];
    return check ? (request, reply, done) => void check(request, reply).then(() => done(), done) : undefined;
  }
  let resolved: AuthCheck | null | undefined;
  return (request, reply, done) => {
    if (resolved === undefined) {
      const late = routeAuthOf(route);
      resolved = late === undefined ? null : (checks[late] ?? null);
    }
    if (resolved === null) return done();
    resolved(request, reply).then(() => done(), done);
  };
}

/** A route's own hooks of one phase as a list (a route may give one function or several). */
function hooksOf(hooks: unknown): CallbackHook[] {
  if (hooks === undefined || hooks === null) return [];
  return (Array.isArray(hooks) ? hooks : [hooks]) as CallbackHook[];
}

/**
 * The scope an API key needs for `method` on `url` (a route pattern): the route's own
 * `scope`, else `<area>:read` for GET and HEAD and `<area>:write` for anything else, the area
 * read from the path (`/chats/:id/messages…` is `messages`, `/users/me/contacts…` `contacts`,
 * photos and uploads `files`, sockets `events`). Changing one's own account (`/users…` other
 * than GET) is `account`, which no key is granted: keys act, they do not manage the bot.
 */
export function routeScopeOf(method: string, url: string, config?: { scope?: string | undefined }): string {
  if (config?.scope) return config.scope;
  const path = url.replace(/^\/api(?=\/)/, '');
  const read = method === 'GET' || method === 'HEAD';
  const access = read ? 'read' : 'write';
  if (path === '/ws' || path.startsWith('/ws/') || /^\/:sessionId/.test(path)) return 'events:read';
  if (/^\/chats\/[^/]+\/messages/.test(path)) return `messages:${access}`;
  if (path.startsWith('/users/me/contacts')) return `contacts:${access}`;
  if (path.startsWith('/users/me/photos') || path.startsWith('/uploads') || path.startsWith('/files') || path.startsWith('/photos')) return `files:${access}`;
  if (path.startsWith('/search')) return 'search:read';
  if (path.startsWith('/users')) return read ? 'users:read' : 'account';
  const area = path.split('/')[1] ?? '';
  return `${area}:${access}`;
}

/** Sets `auth` on a route that declares none. */
function declare(route: RouteOptions, { auth }: { auth: RouteAuth }) {
  if (routeAuthOf(route) === undefined) route.config = { ...(route.config as object), auth } as RouteOptions['config'];
}

/**
 * Gives every route registered in `app`'s scope that declares nothing (and that `which`
 * picks, default all) the mode `auth`: for routes a plugin registers (API docs, static files,
 * CORS preflights), which cannot declare it themselves.
 */
export function declareAuth(app: FastifyInstance, auth: RouteAuth, which: (route: RouteOptions) => boolean = () => true): void {
  app.addHook('onRoute', (route) => {
    if (which(route)) declare(route, { auth });
  });
}

/**
 * Refuses to start an app with a route that declares no auth: records every route, then checks
 * them when the app is ready (after every scope's defaults are applied). Installed by app.ts at
 * the root.
 */
export function requireAuthDeclarations(app: FastifyInstance): void {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => void routes.push(route));
  app.addHook('onReady', async () => {
    const missing = routes.filter((route) => routeAuthOf(route) === undefined).map((r) => `${String(r.method)} ${r.url}`);
    if (missing.length > 0) throw new Error(`routes without an auth declaration (config.auth): ${missing.join(', ')}`);
  });
}
