/**
 * The external services some suites need: PostgreSQL (`DATABASE_URL`, default the local
 * `test` database) and Redis (`REDIS_URL`, default the local server). Each is probed once
 * with a short timeout. When one is unreachable its suites are skipped with a message,
 * unless `PARLEY_REQUIRE_SERVICES=1` (CI), where the test file fails instead.
 *
 *     const pg = await postgresService();
 *     describe('…', { skip: pg.skip }, () => { … });
 */
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describeError } from '../src/adapters/describe-error.js';
import { redactUrl } from '../src/config.js';

export const POSTGRES_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const required = process.env.PARLEY_REQUIRE_SERVICES === '1';

export interface Service {
  url: string;
  /** A skip message for `describe`, or false when the service answers. */
  skip: string | false;
}

async function probePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => {});
  }
}

async function probeRedis(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 2000, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  let reason: Error | undefined;
  client.on('error', (error: Error) => (reason ??= error));
  try {
    await client.connect().catch((error: unknown) => {
      throw reason ?? error; // ioredis rejects with "Connection is closed."; the cause came as an event
    });
    await client.ping();
  } finally {
    client.disconnect();
  }
}

async function availability(name: string, variable: string, url: string, probe: (url: string) => Promise<void>): Promise<Service> {
  try {
    await probe(url);
    return { url, skip: false };
  } catch (error) {
    const reason = describeError(error);
    const message = `${name} not reachable at ${redactUrl(url)} (${reason}): set ${variable}`;
    if (required) throw new Error(`${message}; PARLEY_REQUIRE_SERVICES=1 makes this a failure`);
    return { url, skip: message };
  }
}

let postgres: Promise<Service> | undefined;
let redis: Promise<Service> | undefined;

/** PostgreSQL for this test file (probed once per file). */
export const postgresService = () => (postgres ??= availability('PostgreSQL', 'DATABASE_URL', POSTGRES_URL, probePostgres));
/** Redis for this test file (probed once per file). */
export const redisService = () => (redis ??= availability('Redis', 'REDIS_URL', REDIS_URL, probeRedis));

/** `url` with the search_path set to `schema`, so every unqualified name lives there. */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

export interface TestSchema {
  name: string;
  /** The database URL whose connections use this schema. */
  url: string;
  drop(): Promise<void>;
}

/**
 * Schemas this file made and has not dropped yet: dropped when the whole file is done. Node
 * 20 runs this root hook too early if a suite is registered before a top-level await, so a
 * test file awaits `postgresService()` before its first `describe`.
 */
const undropped = new Set<() => Promise<void>>();
after(async () => {
  await Promise.all([...undropped].map((drop) => drop()));
});

/**
 * Creates an empty schema `t_<random>` on the test database, so that test files running in
 * parallel never see each other's tables. Dropped by `drop()`, or at the end of the file.
 */
export async function createTestSchema(baseUrl = POSTGRES_URL): Promise<TestSchema> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 5000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query(statement);
    } finally {
      await client.end().catch(() => {});
    }
  };
  await admin(`create schema ${name}`);
  const drop = async () => {
    if (!undropped.delete(drop)) return;
    await admin(`drop schema if exists ${name} cascade`);
  };
  undropped.add(drop);
  return { name, url: withSearchPath(baseUrl, name), drop };
}
