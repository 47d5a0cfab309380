/**
 * Shared by the security suite (test/security/*.test.ts): the route table with each route's
 * auth mode, read from the route's own declaration (a route without one fails the suite), a minimal valid request per route built from its own schema, and a recorder of
 * every response body, scanned for password hashes and other sessions' tokens.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse, RouteOptions } from 'fastify';
import fc from 'fast-check';
import type { ParleyApp } from '../../src/app.js';
import { routeAuthOf, type RouteAuth } from '../../src/edge/route-auth.js';
import { startApp, type TestApp } from '../helpers.js';

/**
 * How each route authenticates, as the suite attacks it: `public` (no credentials), `basic`
 * (Basic credentials only), `native` (a native access token, 401 otherwise; admin routes too,
 * then 403 for a non-admin), `vapp` (a V-app user token, 400 auth:badtoken otherwise),
 * `native-ws` (upgrade refused with 401 without a valid native token), `rooms-ws` (read-only
 * without a token; a bad token refused with 401), `native-optional` (answers without a token; a
 * token that comes must be good, else 401: the native public profile), `rooms` (the rooms family's
 * HTTP routes that need a native token: 403 NOT_AUTHORIZED without one, 400 INVALID_AUTH_TOKEN for
 * a bad one, as the original server answered). Derived from each route's own declaration
 * (`config.auth`, src/edge/route-auth.ts), so a new route is covered as it is written.
 */
export type AuthMode = 'public' | 'basic' | 'native' | 'native-optional' | 'vapp' | 'native-ws' | 'rooms-ws' | 'rooms';

/** The suite's mode for a declaration; undefined for none (or one the suite does not know). */
export function suiteModeOf(auth: RouteAuth | undefined, websocket: boolean, url = ''): AuthMode | undefined {
  if (auth === 'session' && !websocket && url.startsWith('/api/v1/')) return 'rooms';
  if (websocket) return auth === 'session' ? 'native-ws' : auth === 'session-optional' ? 'rooms-ws' : undefined;
  switch (auth) {
    case 'none':
      return 'public';
    case 'basic':
      return 'basic';
    case 'session':
    case 'admin':
      return 'native';
    case 'session-optional':
      return 'native-optional';
    case 'vapp':
      return 'vapp';
    default:
      return undefined;
  }
}

/**
 * The routes declared public (`auth: 'none'`), listed: the one part of the table kept by hand,
 * so that a route opened to everyone by mistake fails the suite instead of escaping it.
 */
export const PUBLIC_ROUTES = [
  'GET /docs',
  'GET /docs/static/index.html',
  'GET /docs/static/swagger-initializer.js',
  'GET /docs/static/*',
  'GET /docs/json',
  'GET /docs/yaml',
  'GET /openapi.json',
  // Issue 25: the sockets' AsyncAPI document, public as /openapi.json is.
  'GET /asyncapi.json',
  'GET /healthz',
  'GET /readyz',
  'GET /.well-known/jwks.json',
  'POST /users',
  'POST /users/login',
  'PUT /users/resetPassword',
  'POST /users/resetPassword',
  'GET /uploads/:file',
  'POST /vapp/signup',
  'POST /vapp/login',
  'POST /vapp/token',
  'POST /api/v1/users',
  'POST /api/v1/login',
  'GET /api/v1/rooms/:room',
  'GET /api/v1/messages',
  // Issue 18: one room message, public as rooms are (the original's anonUser may read it).
  'GET /api/v1/messages/:id',
  // Incoming webhooks: the secret URL is the credential (test/incoming-hooks.test.ts).
  'POST /hooks/:token',
  'POST /api/hooks/:token',
  // OIDC single sign-on (issue 22): the sign-in itself (test/users.oidc.test.ts).
  'GET /auth/oidc',
  'GET /auth/oidc/start',
  'GET /auth/oidc/callback',
  // Public unless METRICS_TOKEN is set (its own bearer token, tested in test/metrics.test.ts).
  'GET /metrics',
  // The web app's static files.
  'GET /app/',
  'GET /app/*',
  // Issue 18: upstream's file links (/files/<name>), its web app's /api prefix, the V-app's default avatars.
  'GET /files/:file',
  'GET /api/files/:file',
  'GET /api/uploads/:file',
  'POST /api/users',
  'POST /api/users/login',
  'PUT /api/users/resetPassword',
  'POST /api/users/resetPassword',
  'GET /vapp/avatars/:file',
];

export interface Route {
  method: string;
  /** The path as registered, without a parameter's regular expression (`/:sessionId`). */
  url: string;
  websocket: boolean;
  schema: { body?: Schema; querystring?: Schema; params?: Schema; headers?: Schema; hide?: boolean };
  /** `METHOD url`. */
  key: string;
  /** The declared `config.auth` (read once the app is ready: scopes may fill it in after this route's record). */
  readonly auth: RouteAuth | undefined;
  /** The suite's mode for that declaration. */
  readonly mode: AuthMode | undefined;
}

export type Schema = Record<string, any>;

/** A path without its parameters' regular expressions: `/:id(^\\d+$)` is `/:id`. */
const plainPath = (url: string) => url.replace(/(:\w+)\([^)]*\)/g, '$1');

/** Starts an app on a fresh data dir and records its route table as the routes register. */
export async function startRecordedApp(
  env: Record<string, string> = {},
  options: Parameters<typeof startApp>[1] = {},
): Promise<{ t: TestApp; routes: Route[] }> {
  const routes: Route[] = [];
  const onRoute = (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const websocket = Boolean((route as { websocket?: boolean }).websocket);
    const url = plainPath(route.url);
    for (const method of methods) {
      routes.push({
        method,
        url,
        websocket,
        schema: (route.schema ?? {}) as Route['schema'],
        key: `${method} ${url}`,
        // The same options object the later onRoute hooks complete.
        get auth() {
          return routeAuthOf(route);
        },
        get mode() {
          return suiteModeOf(routeAuthOf(route), websocket, url);
        },
      });
    }
  };
  const t = await startApp(env, { ...options, onRoute });
  return { t, routes };
}

/** The mode of the route at `METHOD url` (an OpenAPI path, say) among `routes`. */
export function modeAt(routes: Route[], method: string, url: string): AuthMode | undefined {
  return routes.find((r) => r.method === method && r.url === url)?.mode;
}

/** The routes of the given modes, without the HEAD twins of GET routes. */
export const routesOf = (routes: Route[], ...modes: AuthMode[]) => routes.filter((r) => r.method !== 'HEAD' && modes.includes(r.mode!));

// ---------------------------------------------------------------------------------------
// Minimal valid values from a route's JSON schema (TypeBox output), so that a request gets
// past validation and reaches authentication and the handler.

const sampleOf = <T>(arb: fc.Arbitrary<T>): T => fc.sample(arb, { numRuns: 1, seed: 7 })[0]!;

export function exampleOf(schema: Schema | undefined): unknown {
  if (!schema) return undefined;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.anyOf)) return exampleOf(schema.anyOf.find((s: Schema) => s.type !== 'null') ?? schema.anyOf[0]);
  if (Array.isArray(schema.allOf)) return Object.assign({}, ...schema.allOf.map((s: Schema) => exampleOf(s) as object));
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = exampleOf(schema.properties?.[key]);
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(schema.minItems ?? 0, 1) }, () => exampleOf(schema.items));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'string': {
      if (schema.format === 'uuid') return randomUUID();
      if (schema.format === 'email') return 'someone@example.com';
      if (schema.format === 'date-time') return new Date().toISOString();
      if (schema.pattern) {
        const min = schema.minLength ?? 1;
        return sampleOf(fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && s.length <= (schema.maxLength ?? 64)));
      }
      return 'x'.repeat(Math.max(schema.minLength ?? 1, 8));
    }
    default:
      return undefined;
  }
}

/** The route's URL with `:params` filled from `params` (or examples), URL-encoded. */
export function fillUrl(route: Route, params: Record<string, unknown> = {}): string {
  const examples = (exampleOf(route.schema.params) ?? {}) as Record<string, unknown>;
  return route.url.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(String(params[name] ?? examples[name] ?? 'x')));
}

/** A request that passes the route's validation: path, query and body from its schema. */
export function exampleRequest(route: Route): { method: any; url: string; payload?: any; headers: Record<string, string> } {
  const url = fillUrl(route);
  const query = exampleOf(route.schema.querystring) as Record<string, unknown> | undefined;
  const search =
    query && Object.keys(query).length > 0 ? `?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}` : '';
  if (route.url === '/uploads') return { method: route.method, url, payload: 'hello', headers: { 'content-type': 'text/plain' } };
  const body = route.method === 'GET' || route.method === 'HEAD' ? undefined : exampleOf(route.schema.body);
  return { method: route.method, url: url + search, headers: {}, ...(body === undefined ? {} : { payload: body }) };
}

// ---------------------------------------------------------------------------------------
// Response recording and scanning.

export interface Recorded {
  request: string;
  status: number;
  body: string;
}

/** Records every response `app.inject` returns from now on (helpers' register included). */
export function recordResponses(app: ParleyApp): Recorded[] {
  const seen: Recorded[] = [];
  const inject = app.inject.bind(app) as (opts: any) => Promise<LightMyRequestResponse>;
  (app as unknown as { inject: unknown }).inject = async (opts: any) => {
    const res = await inject(opts);
    const what = typeof opts === 'string' ? `GET ${opts}` : `${opts.method ?? 'GET'} ${opts.url ?? opts.path}`;
    seen.push({ request: what, status: res.statusCode, body: res.body });
    return res;
  };
  return seen;
}

/** Adds a response read outside `inject` (real HTTP, socket frames). */
export const note = (seen: Recorded[], request: string, status: number, body: string) => seen.push({ request, status, body });

const JWT_IN_TEXT = /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g;

/** Tokens a response issued itself (login, registration, token refresh answers). */
function issuedBy(body: string): Set<string> {
  try {
    const value = JSON.parse(body) as any;
    return new Set([value?.token, value?.data?.token, ...(value?.deviceSessions ?? []).map((s: any) => s?.accessToken)].filter((v) => typeof v === 'string'));
  } catch {
    return new Set();
  }
}

/**
 * No recorded body holds an argon2 hash (password or account key), and none holds a token it
 * did not issue itself: another session's token, or the caller's own echoed back. Answers
 * with the number of tokens seen issued, so a caller can check the scan had something to find.
 */
export function assertNothingLeaked(seen: Recorded[]): number {
  const allIssued = new Set<string>();
  for (const r of seen) for (const token of issuedBy(r.body)) allIssued.add(token);
  for (const r of seen) {
    assert.ok(!r.body.includes('$argon2'), `${r.request} (${r.status}) answered a password or account-key hash: ${r.body.slice(0, 300)}`);
    const own = issuedBy(r.body);
    for (const found of r.body.match(JWT_IN_TEXT) ?? []) {
      assert.ok(own.has(found), `${r.request} (${r.status}) answered a token it did not issue: ${r.body.slice(0, 300)}`);
    }
    for (const token of allIssued) {
      if (!own.has(token)) assert.ok(!r.body.includes(token), `${r.request} (${r.status}) answered another session's token`);
    }
  }
  return allIssued.size;
}

export const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
