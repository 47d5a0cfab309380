/**
 * Property-based fuzzing (fast-check) of every HTTP route's body, query, path parameters and
 * headers, generated from the route's own schema: valid-ish values mixed with wrong types,
 * huge and unicode strings, nulls, prototype-pollution keys, deep nesting, raw malformed
 * bodies. For every request: no 5xx; for every rejected one: the caller's stored data is
 * unchanged. After each route: /healthz answers. At the end: another user's data is exactly
 * what it was, and Object.prototype is untouched.
 *
 * Deterministic: seed PARLEY_FUZZ_SEED (default below) + the route's index; PARLEY_FUZZ_RUNS
 * cases per route (default 30; 12 on PostgreSQL). A failure prints the seed, the route and the request.
 *
 * The routes are dealt out to FUZZ_SHARDS files (fuzz.<n>.test.ts, route index modulo the count), each
 * with an app of its own, so that a file stays well within the 2-minute test timeout as routes are
 * added, and the runner takes two at once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { basic, bearer, client, register, type Registered, type TestApp } from '../helpers.js';
import { makePng, upload } from '../media-helpers.js';
import { assertNothingLeaked, recordResponses, startRecordedApp, type Recorded, type Route, type Schema } from './support.js';

const SEED = Number(process.env.PARLEY_FUZZ_SEED ?? 20_261_201);
// Fewer on PostgreSQL, where every case's round trips cost more, so the file stays within the 2-minute test timeout.
const RUNS = Number(process.env.PARLEY_FUZZ_RUNS ?? (process.env.PARLEY_TEST_STORE === 'postgres' ? 12 : 30));

/** The real ids the arbitraries mix in (filled before they are built), and the fuzzing user's current token. */
const live = { token: '', userIds: [] as number[], uuids: [] as string[], mediaIds: [] as string[], messageIds: [] as string[] };

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const pollution = () => JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":{"polluted":true}}');
const deep = (depth: number) => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

/** Hostile values of any type. */
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constantFrom(0, -1, 2 ** 53, -(2 ** 63), 1e308, 0.5),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '../../etc/passwd',
    '..\\..\\windows',
    '%2e%2e%2f',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    '$argon2id$',
    '\u202e\ufeff',
    '𝕏'.repeat(600),
  ),
  fc.constant('x'.repeat(5000)),
  fc.constant(pollution()),
  fc.constant(deep(200)),
  fc.constant([]),
  fc.constant({}),
  fc.anything({ maxDepth: 2, maxKeys: 4 }),
);

/** A value for `schema`: mostly plausible, sometimes hostile. */
function valueFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: plausible(schema, depth) }, { weight: 1, arbitrary: nasty });
}

function plausible(schema: Schema | undefined, depth: number): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.anything({ maxDepth: 1 });
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  if (Array.isArray(schema.anyOf)) return fc.oneof(...schema.anyOf.map((s: Schema) => plausible(s, depth + 1)));
  if (Array.isArray(schema.allOf))
    return fc
      .tuple(...schema.allOf.map((s: Schema) => plausible(s, depth + 1)))
      .map((parts) => Object.assign({}, ...parts.map((p) => (typeof p === 'object' && p ? p : {}))));
  switch (schema.type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const record = fc.record(Object.fromEntries(Object.entries(props).map(([k, s]) => [k, valueFor(s, depth + 1)])), { requiredKeys: [] });
      const extra = fc.oneof(
        { weight: 5, arbitrary: fc.constant({}) },
        { weight: 1, arbitrary: fc.constant(pollution()) },
        { weight: 1, arbitrary: fc.dictionary(printable, nasty, { maxKeys: 3 }) },
      );
      return fc.tuple(record, extra, fc.boolean()).map(([r, e, allRequired]) => {
        const out: Record<string, unknown> = { ...e, ...r };
        // Most cases carry every required field, so the handler itself is reached.
        if (allRequired) for (const key of schema.required ?? []) if (!(key in out)) out[key] = 'x';
        return out;
      });
    }
    case 'array':
      return fc.array(valueFor(schema.items, depth + 1), { maxLength: Math.min(schema.maxItems ?? 5, 12) });
    case 'integer':
    case 'number':
      return fc.oneof(
        fc.integer({ min: schema.minimum ?? -1000, max: Math.min(schema.maximum ?? 1_000_000, Number.MAX_SAFE_INTEGER) }),
        fc.constantFrom(...live.userIds),
      );
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'string': {
      if (schema.format === 'uuid') return fc.oneof(fc.uuid(), fc.constantFrom(...live.uuids, ...live.messageIds));
      if (schema.pattern) {
        const re = new RegExp(schema.pattern);
        return fc.oneof(fc.stringMatching(re, { maxLength: 64 }), fc.constantFrom(...live.mediaIds));
      }
      const lengths = { minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 60) };
      return fc.oneof(
        { weight: 1, arbitrary: fc.string({ unit: 'grapheme', ...lengths }) },
        // Characters stores and parsers trip on (NUL: PostgreSQL text cannot hold it), at a plausible length.
        {
          weight: 1,
          arbitrary: fc.string({
            unit: fc.constantFrom('a', '0', ' ', '\u0000', '\u0001', '\u001f', '\u007f', 'é', '\u202e', '\ufeff', '😀', '%', '\\', '"', "'"),
            ...lengths,
          }),
        },
      );
    }
    default:
      return fc.anything({ maxDepth: 2 });
  }
}

/** A string as a path segment or query value: usually encoded, sometimes raw tricks. */
const encode = (value: unknown) => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
  // Lone surrogates cannot be percent-encoded; a round trip through UTF-8 puts U+FFFD in their place.
  return encodeURIComponent(Buffer.from(text, 'utf8').toString('utf8'));
};
const rawSegment = fc.constantFrom(
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e',
  '%00',
  '%ZZ',
  '%',
  '..',
  '.',
  '%c0%ae%c0%ae',
  'a%2fb',
  '%u002e',
  '%E2%80%AE',
  '%F0%9F%98%80',
);

const rawBodies = fc.constantFrom(
  '{',
  'null',
  '',
  '[]',
  '"text"',
  '1e999999',
  '{"a":1,"a":2}',
  '\ufeff{}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '['.repeat(20_000) + ']'.repeat(20_000),
  `{"a":"${'x'.repeat(70_000)}"}`,
  `{"a":${'{"a":'.repeat(3000)}1${'}'.repeat(3001)}`,
);

interface Case {
  pathValues: Array<{ raw: boolean; value: unknown }>;
  query: Record<string, unknown>;
  junkQuery: string;
  headers: Record<string, string>;
  auth: 'token' | 'none' | 'junk';
  junkAuth: string;
  body: { kind: 'json'; value: unknown } | { kind: 'raw'; text: string } | { kind: 'bytes'; bytes: Uint8Array } | { kind: 'none' };
}

function caseFor(route: Route): fc.Arbitrary<Case> {
  const params = (route.url.match(/:(\w+)/g) ?? []).map((p) => p.slice(1));
  const paramSchemas = (route.schema.params?.properties ?? {}) as Record<string, Schema>;
  const pathValues = fc.tuple(
    ...params.map((name) =>
      fc.oneof(
        { weight: 5, arbitrary: valueFor(paramSchemas[name]).map((value) => ({ raw: false, value })) },
        { weight: 1, arbitrary: rawSegment.map((value) => ({ raw: true, value })) },
      ),
    ),
  );
  const query = route.schema.querystring ? (plausible(route.schema.querystring, 0) as fc.Arbitrary<Record<string, unknown>>) : fc.constant({});
  const headers = fc.record(
    {
      'content-type': fc.constantFrom(
        'application/json',
        'application/json',
        'application/json; charset=utf-16',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        'application/json;;',
        'png',
        'image/png',
        '*/*',
      ),
      'x-request-id': printable,
      'file-name': fc.oneof(printable, fc.constantFrom('../x', '..%2fx', 'a\\b', 'x-preview', 'ok_name')),
      range: fc.constantFrom('bytes=0-0', 'bytes=-1', 'bytes=9999999999-', 'bytes=1-0', 'bytes=0-1,2-3', 'pages=1'),
      'if-none-match': printable,
      'x-forwarded-for': fc.constantFrom('1.2.3.4', 'garbage', '::1, 10.0.0.1'),
      'sec-websocket-protocol': printable,
      origin: fc.constantFrom('http://evil.example', 'null'),
    },
    { requiredKeys: [] },
  );
  const bodyArb: fc.Arbitrary<Case['body']> =
    route.method === 'GET' || route.method === 'HEAD'
      ? fc.constant({ kind: 'none' as const })
      : fc.oneof(
          { weight: 6, arbitrary: valueFor(route.schema.body ?? { type: 'object', properties: {} }).map((value) => ({ kind: 'json' as const, value })) },
          { weight: 1, arbitrary: rawBodies.map((text) => ({ kind: 'raw' as const, text })) },
          { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ kind: 'bytes' as const, bytes })) },
          { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
        );
  return fc.record({
    pathValues,
    query,
    junkQuery: fc.oneof(
      { weight: 4, arbitrary: fc.constant('') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '&token=abc',
          '&count=1&count=2',
          '&__proto__[polluted]=1',
          '&constructor[prototype][polluted]=1',
          '&s=%00',
          '&limit=1e9',
          '&offset=-1',
        ),
      },
    ),
    headers,
    auth: fc.constantFrom('token', 'token', 'token', 'token', 'none', 'junk'),
    junkAuth: fc.constantFrom(
      'Bearer',
      'Bearer a.b.c',
      'Basic ',
      'Basic !!!',
      `Basic ${Buffer.from(':').toString('base64')}`,
      `Basic ${Buffer.from(`${'x'.repeat(3000)}:y`).toString('base64')}`,
      'Digest x',
      `Bearer ${'e'.repeat(5000)}`,
    ),
    body: bodyArb,
  });
}

function requestOf(route: Route, c: Case) {
  let i = 0;
  const url = route.url.replace(/:(\w+)/g, () => {
    const p = c.pathValues[i++]!;
    return p.raw ? String(p.value) : encode(p.value);
  });
  const query = Object.entries(c.query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encode(v)}`)
    .join('&');
  const headers: Record<string, string> = { ...c.headers };
  if (c.auth === 'token') headers.authorization = `Bearer ${live.token}`;
  if (c.auth === 'junk') headers.authorization = c.junkAuth;
  let payload: string | Buffer | undefined;
  if (c.body.kind === 'json') payload = JSON.stringify(c.body.value) ?? 'null';
  if (c.body.kind === 'raw') payload = c.body.text;
  if (c.body.kind === 'bytes') payload = Buffer.from(c.body.bytes);
  if (payload === undefined) delete headers['content-type'];
  const search = query || c.junkQuery ? `?${query}${c.junkQuery}` : '';
  return { method: route.method as 'GET', url: url + search, headers, ...(payload === undefined ? {} : { payload }) };
}

/** How many fuzz.<n>.test.ts files share the routes. */
export const FUZZ_SHARDS = 5;

/** The fuzzing of every `shard`-th route (index modulo FUZZ_SHARDS), on an app of its own. */
export function fuzzShard(shard: number): void {
  describe(`security: fuzzing every route from its schema (part ${shard + 1} of ${FUZZ_SHARDS})`, () => {
    let t: TestApp;
    let routes: Route[];
    let seen: Recorded[];
    let fuzzer: Registered;
    let victim: Registered;
    let victimSnapshot: unknown;
    const ids = { victimChat: '', fuzzerChat: '' };

    const victimView = async () => {
      const v = client(t.app, victim.token);
      const strip = (x: unknown) => JSON.parse(JSON.stringify(x), (k, val) => (k === 'lastSeen' ? undefined : val));
      return strip({
        me: (await v('GET', '/users/me')).json(),
        chat: (await v('GET', `/chats/${ids.victimChat}`)).json(),
        messages: (await v('GET', `/chats/${ids.victimChat}/messages`)).json(),
        contacts: (await v('GET', '/users/me/contacts')).json(),
      });
    };
    /** What the fuzzing user has stored; a rejected request must leave it as it was. */
    const fuzzerView = async () => {
      const f = client(t.app, live.token);
      const me = await f('GET', '/users/me');
      if (me.statusCode !== 200) return `session gone (${me.statusCode})`;
      const strip = (x: unknown) => JSON.parse(JSON.stringify(x), (k, val) => (k === 'lastSeen' ? undefined : val));
      return JSON.stringify(
        strip({
          me: me.json(),
          chats: (await f('GET', '/chats?full=1')).json(),
          messages: (await f('GET', `/chats/${ids.fuzzerChat}/messages`)).json(),
          contacts: (await f('GET', '/users/me/contacts')).json(),
          blobs: (await t.app.core.ports.blobs.list()).sort(),
        }),
      );
    };

    before(async () => {
      ({ t, routes } = await startRecordedApp({
        UPLOAD_MAX_BYTES: '65536',
        // Wrong old passwords count as failed logins; the fuzzer must still be able to log in between routes.
        RATE_LIMITS: 'login_user=1000000/15m,login_ip=1000000/15m',
      }));
      seen = recordResponses(t.app);
      fuzzer = await register(t.app);
      victim = await register(t.app);
      const third = await register(t.app);
      const v = client(t.app, victim.token);
      const f = client(t.app, fuzzer.token);
      ids.victimChat = (await v('POST', '/chats', { title: 'victim', participants: [third.id], isPersonal: false })).json().id;
      const victimMessage = (await v('POST', `/chats/${ids.victimChat}/messages`, { localId: 'v1', text: 'victim text' })).json().id;
      await v('POST', '/users/me/contacts', { user: { id: third.id } });
      const victimUpload = (await upload(t.app, await makePng(20, 20), { token: victim.token, contentType: 'png' })).json().name.split('.')[0];
      await v('POST', '/users/me/photos', { photo: { id: victimUpload } });
      ids.fuzzerChat = (await f('POST', '/chats', { title: 'fuzzer', participants: [third.id], isPersonal: false })).json().id;
      const fuzzerMessage = (await f('POST', `/chats/${ids.fuzzerChat}/messages`, { localId: 'f1', text: 'fuzzer text' })).json().id;
      const fuzzerUpload = (await upload(t.app, await makePng(20, 20), { token: fuzzer.token, contentType: 'png' })).json().name.split('.')[0];
      const contact = (await f('POST', '/users/me/contacts', { user: { id: third.id } })).json().id;
      live.userIds = [fuzzer.id, victim.id, third.id, 0, 999_999];
      live.uuids = [ids.victimChat, ids.fuzzerChat, contact, victim.sessionId, fuzzer.sessionId, randomUUID()];
      live.mediaIds = [victimUpload, fuzzerUpload, `${fuzzerUpload}-preview`, 'nope'];
      live.messageIds = [victimMessage, fuzzerMessage];
      victimSnapshot = await victimView();
    });
    after(() => t.destroy());

    it('no route answers 5xx, and a rejected request changes nothing the caller has stored', async () => {
      // DELETE /users/me with the fuzzer's real credentials would end the run; it is fuzzed with junk Basic only (below).
      const all = routes.filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/docs') && r.url !== '/openapi.json');
      assert.ok(all.length >= 55, `only ${all.length} routes`);
      const targets = all.map((route, index) => ({ route, index })).filter(({ index }) => index % FUZZ_SHARDS === shard);
      let cases = 0;
      let rejected = 0;
      for (const { index, route } of targets) {
        // A fresh session for every route: some routes (logout) end the current one.
        live.token = (await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(fuzzer.username, fuzzer.password) })).json().token;
        let last = await fuzzerView();
        const seed = SEED + index;
        await fc.assert(
          fc.asyncProperty(caseFor(route), async (c) => {
            const request = requestOf(route, c);
            const res = await t.app.inject(request);
            cases++;
            const where = `${route.key} (seed ${seed}): ${request.method} ${request.url.slice(0, 300)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
            assert.ok(res.statusCode < 500, where);
            const now = await fuzzerView();
            if (res.statusCode >= 400) {
              rejected++;
              assert.equal(now, last, `a rejected request changed stored data: ${where}`);
            }
            last = now;
          }),
          { numRuns: RUNS, seed, endOnFailure: true },
        );
        const health = await t.app.inject('/healthz');
        assert.equal(health.statusCode, 200, `unhealthy after ${route.key}`);
      }
      assert.ok(cases >= targets.length * RUNS);
      assert.ok(rejected > cases / 2, `only ${rejected} of ${cases} cases were rejected: the fuzzer is too tame`);
    });

    it('leaves another user’s data, the process and Object.prototype untouched', async () => {
      assert.deepEqual(await victimView(), victimSnapshot);
      assert.equal((await t.app.inject('/readyz')).statusCode, 200);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
      // The victim can still log in with the password they had.
      assert.equal((await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(victim.username, victim.password) })).statusCode, 200);
      assert.equal((await t.app.inject({ url: '/users/me', headers: bearer(victim.token) })).statusCode, 200);
    });

    it('no answer carried a password or account-key hash, or a token it did not issue', () => {
      assertNothingLeaked(seen);
    });
  });
}
