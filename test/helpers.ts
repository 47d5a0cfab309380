/**
 * Test helpers: build the real app on a fresh temp SQLite file and talk to it through
 * `inject`, as the model codebases do. Argon2 runs with small parameters here so that the
 * suite stays fast; its real parameters are covered by the hasher's own test.
 *
 * To run the same tests on the scale-out adapters, set `PARLEY_TEST_STORE=postgres` (each
 * app gets a fresh schema on `DATABASE_URL` or the local `test` database) and/or
 * `PARLEY_TEST_BUS=redis` (each app its own channel prefix on `REDIS_URL`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type BuildOptions, type ParleyApp } from '../src/app.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { createTestSchema, REDIS_URL, type TestSchema } from './services.js';

export interface TestApp {
  app: ParleyApp;
  dataDir: string;
  /** Closes the app; the data dir stays until `destroy`. */
  close(): Promise<void>;
  /** Closes the app and removes its data dir. */
  destroy(): Promise<void>;
}

export const FAST_ARGON2 = { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' };

export function tempDir(prefix = 'parley-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** With `PARLEY_TEST_STORE=postgres`, the schema standing in for each data dir (reopened with it). */
const schemas = new Map<string, TestSchema>();

/** The scale-out adapters chosen by `PARLEY_TEST_STORE` / `PARLEY_TEST_BUS`, for an app on `dataDir`. */
async function adapterEnv(dataDir: string, env: Record<string, string>): Promise<Record<string, string>> {
  const chosen: Record<string, string> = {};
  if (process.env.PARLEY_TEST_STORE === 'postgres' && env.DATABASE_URL === undefined) {
    let schema = schemas.get(dataDir);
    if (!schema) schemas.set(dataDir, (schema = await createTestSchema()));
    chosen.DATABASE_URL = schema.url;
    // Small pools: test files run side by side, and PostgreSQL allows 100 connections in all.
    chosen.DATABASE_POOL_SIZE ??= '4';
  }
  if (process.env.PARLEY_TEST_BUS === 'redis' && env.REDIS_URL === undefined) {
    chosen.REDIS_URL = REDIS_URL;
    chosen.REDIS_PREFIX = `parley-test-${path.basename(dataDir)}:`;
  }
  return chosen;
}

/** Builds the app with `env` over test defaults; pass `dataDir` to reopen an existing one. */
/** Apps not closed yet: closed when the test file ends, so a failed test never leaves a server holding the run open. */
const open = new Set<() => Promise<void>>();
after(async () => {
  await Promise.all([...open].map((close) => close()));
});

/**
 * Tests send hundreds of messages a second as one user, far past the default send limit
 * (`send_user`, 60 a minute): it is lifted here unless a test sets it (the limit's own tests
 * do); every other limit keeps its default or the test's value.
 */
export function liftSendLimit(env: Record<string, string>): Record<string, string> {
  const raw = env.RATE_LIMITS;
  if (raw === 'off') return env;
  return { ...env, RATE_LIMITS: raw === undefined || raw === 'on' ? 'send_user=1000000/1m' : `send_user=1000000/1m,${raw}` };
}

export async function startApp(env: Record<string, string> = {}, options: BuildOptions & { dataDir?: string } = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? tempDir();
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://parley.test',
    ...FAST_ARGON2,
    ...(await adapterEnv(dataDir, env)),
    ...liftSendLimit(env),
  });
  const app = await buildApp(config, { logger: false, ...options });
  let closed = false;
  const close = async () => {
    if (!closed) await app.close();
    closed = true;
    open.delete(close);
  };
  open.add(close);
  return {
    app,
    dataDir,
    close,
    async destroy() {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
      await schemas.get(dataDir)?.drop();
      schemas.delete(dataDir);
    },
  };
}

export interface Registered {
  id: number;
  uid: string;
  username: string;
  password: string;
  token: string;
  sessionId: string;
  body: any;
}

let counter = 0;
/** A username unique within the test run. */
export const uniqueName = (prefix = 'user') => `${prefix}${process.pid}x${++counter}`;

/** Registers a user over HTTP and returns its id, token and session. */
export async function register(app: ParleyApp, overrides: Record<string, unknown> = {}): Promise<Registered> {
  const username = (overrides.username as string | undefined) ?? uniqueName();
  const password = (overrides.password as string | undefined) ?? 'correct horse battery';
  const res = await app.inject({ method: 'POST', url: '/users', payload: { name: `Name ${username}`, username, password, ...overrides } });
  if (res.statusCode !== 200) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return { id: body.id, uid: body.uid, username: body.username, password, token: body.token, sessionId: body.deviceSessions[0].id, body };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const basic = (username: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
});

/** Asserts a problem-details answer and returns its body. */
export function problemOf(res: LightMyRequestResponse, status: number): any {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${res.headers['content-type']}`);
  }
  const body = res.json();
  if (body.status !== status || typeof body.type !== 'string' || typeof body.title !== 'string' || typeof body.detail !== 'string') {
    throw new Error(`not a problem document: ${res.body}`);
  }
  return body;
}

/** The names in a 400's invalid_parameters. */
export const invalidNames = (res: LightMyRequestResponse): string[] => problemOf(res, 400).invalid_parameters.map((p: any) => p.name);

/** A caller bound to one token: `as(method, url, payload?)`. */
export function client(app: ParleyApp, token: string) {
  return (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) });
}

/** A new account made an administrator, and a caller bound to its token. */
export async function registerAdmin(app: ParleyApp): Promise<{ root: Registered; as: ReturnType<typeof client> }> {
  const root = await register(app);
  await app.core.admin.setRole(root.username, 'admin');
  return { root, as: client(app, root.token) };
}

/** Records every chat event published on the app's bus. */
export function recordChatEvents(app: ParleyApp) {
  const events: Array<import('../src/ports/events.js').ChatEvent> = [];
  app.core.ports.bus.subscribe('chat.event', (e) => events.push(e));
  return {
    events,
    /** Waits a tick (the bus delivers on a later microtask), then returns and forgets what was seen. */
    async take() {
      await new Promise((r) => setImmediate(r));
      return events.splice(0);
    },
  };
}

/** The problems `loadConfig` reports for `env` (a working directory of `/srv`); fails when it accepts it. */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}
