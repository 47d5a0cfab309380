/**
 * Shared by the security suite (test/security/*.test.ts): the route table with each route's
 * auth mode (a route missing from `AUTH_MODES` fails the suite, so a new route is covered or
 * noticed), a minimal valid request per route built from its own schema, and a recorder of
 * every response body, scanned for password hashes and other sessions' tokens.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse, RouteOptions } from 'fastify';
import fc from 'fast-check';
import type { ParleyApp } from '../../src/app.js';
import { startApp, type TestApp } from '../helpers.js';

/**
 * How each route authenticates: `public` (no credentials), `basic` (Basic credentials only),
 * `native` (a native access token, 401 otherwise), `vapp` (a V-app user token, 400
 * auth:badtoken otherwise), `native-ws` (upgrade refused with 401 without a valid native
 * token), `rooms-ws` (read-only without a token; a bad token refused with 401).
 */
export type AuthMode = 'public' | 'basic' | 'native' | 'vapp' | 'native-ws' | 'rooms-ws';

export const AUTH_MODES: Record<string, AuthMode> = {
  'GET /docs': 'public',
  'GET /docs/static/index.html': 'public',
  'GET /docs/static/swagger-initializer.js': 'public',
  'GET /docs/static/*': 'public',
  'GET /docs/json': 'public',
  'GET /docs/yaml': 'public',
  'GET /openapi.json': 'public',
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /.well-known/jwks.json': 'public',
  'POST /users': 'public',
  'POST /users/login': 'public',
  'PUT /users/resetPassword': 'public',
  'DELETE /users/me': 'basic',
  'GET /users': 'native',
  'GET /users/me': 'native',
  'PUT /users/me': 'native',
  'POST /users/me/logout': 'native',
  'PUT /users/me/changePassword': 'native',
  'PUT /users/me/setAccountKey': 'native',
  'PUT /users/me/device': 'native',
  'GET /users/:id': 'native',
  'POST /users/me/photos': 'native',
  'DELETE /users/me/photos/:id': 'native',
  'POST /users/me/contacts': 'native',
  'GET /users/me/contacts': 'native',
  'DELETE /users/me/contacts/:id': 'native',
  'POST /uploads': 'native',
  'GET /uploads/:file': 'public',
  'HEAD /uploads/:file': 'public',
  'POST /chats': 'native',
  'GET /chats': 'native',
  'GET /chats/:id': 'native',
  'PUT /chats/:id': 'native',
  'DELETE /chats/:id': 'native',
  'PUT /chats/:id/settings': 'native',
  'POST /chats/:id/images': 'native',
  'DELETE /chats/:id/images/:imageId': 'native',
  'POST /chats/:id/users': 'native',
  'DELETE /chats/:id/users': 'native',
  'DELETE /chats/:id/me': 'native',
  'DELETE /chats/:id/messages': 'native',
  'PUT /chats/:id/block': 'native',
  'PUT /chats/:id/unblock': 'native',
  'PUT /chats/:id/users/:userId/block': 'native',
  'PUT /chats/:id/users/:userId/unblock': 'native',
  'GET /chats/:id/users/blocked': 'native',
  'POST /chats/:id/messages': 'native',
  'GET /chats/:id/messages': 'native',
  'DELETE /chats/:id/messages/:messageId': 'native',
  'PUT /chats/:id/messages/:messageId': 'native',
  'PUT /chats/:id/messages/:messageId/read': 'native',
  'POST /chats/:id/notify': 'native',
  'GET /search/messages': 'native',
  'GET /search/chats': 'native',
  'GET /ws': 'native-ws',
  'GET /:sessionId': 'native-ws',
  'POST /vapp/signup': 'public',
  'POST /vapp/login': 'public',
  'POST /vapp/token': 'public',
  'GET /vapp/users': 'vapp',
  'POST /vapp/users/image': 'vapp',
  'POST /vapp/image': 'vapp',
  'POST /api/v1/users': 'public',
  'POST /api/v1/login': 'public',
  'GET /api/v1/rooms/:room': 'public',
  'GET /api/v1/messages': 'public',
  'GET /api/v1/rooms/:room/messages/ws': 'rooms-ws',
  'GET /api/v1/rooms/:room/ws': 'rooms-ws',
  // Admin routes take a native token (then 403 unless the account is an admin).
  'POST /admin/users': 'native',
  'GET /admin/users/:user': 'native',
  'PUT /admin/users/:user/disable': 'native',
  'PUT /admin/users/:user/enable': 'native',
  'PUT /admin/users/:user/password': 'native',
  'PUT /admin/users/:user/role': 'native',
  'GET /admin/users/:user/sessions': 'native',
  'DELETE /admin/users/:user/sessions': 'native',
  'DELETE /admin/sessions/:id': 'native',
  'POST /admin/keys/rotate': 'native',
  // Public unless METRICS_TOKEN is set (its own bearer token, tested in test/metrics.test.ts).
  'GET /metrics': 'public',
  // The web app's static files.
  'GET /app/': 'public',
  'GET /app/*': 'public',
};

export interface Route {
  method: string;
  url: string;
  websocket: boolean;
  schema: { body?: Schema; querystring?: Schema; params?: Schema; headers?: Schema; hide?: boolean };
  /** `METHOD url` as in AUTH_MODES. */
  key: string;
}

export type Schema = Record<string, any>;

/** Starts an app on a fresh data dir and records its route table as the routes register. */
export async function startRecordedApp(env: Record<string, string> = {}, options: Parameters<typeof startApp>[1] = {}): Promise<{ t: TestApp; routes: Route[] }> {
  const routes: Route[] = [];
  const onRoute = (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      routes.push({
        method,
        url: route.url,
        websocket: Boolean((route as { websocket?: boolean }).websocket),
        schema: (route.schema ?? {}) as Route['schema'],
        key: `${method} ${route.url}`,
      });
    }
  };
  const t = await startApp(env, { ...options, onRoute });
  return { t, routes };
}

/** A route's auth mode: HEAD routes Fastify adds beside a GET share the GET's mode. */
export function modeOf(route: Pick<Route, 'method' | 'url'>): AuthMode | undefined {
  return AUTH_MODES[`${route.method} ${route.url}`] ?? (route.method === 'HEAD' ? AUTH_MODES[`GET ${route.url}`] : undefined);
}

/** The routes of the given modes, without the HEAD twins of GET routes. */
export const routesOf = (routes: Route[], ...modes: AuthMode[]) =>
  routes.filter((r) => r.method !== 'HEAD' && modes.includes(modeOf(r)!));

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
  const search = query && Object.keys(query).length > 0 ? `?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}` : '';
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
