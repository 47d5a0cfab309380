/**
 * Two, three or more real Parley processes behind no load balancer at all: the same
 * PostgreSQL schema (fresh for the fixture) and the same Redis (a channel prefix of its own),
 * each node on its own port. Any test of cross-node behaviour (native sockets here; room
 * sockets or V-app calls later) starts one with `startNodes()` and talks to `nodes.a` and
 * `nodes.b`, or `startNodes({}, 3)` and `nodes.all`.
 *
 *     const services = await nodeServices();
 *     describe('…', { skip: services.skip }, () => {
 *       let nodes: Nodes;
 *       before(async () => (nodes = await startNodes()));
 *       after(() => nodes?.close());
 *     });
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { startServer, type ServerProcess } from './server-process.js';
import { tempDir } from './helpers.js';
import { createTestSchema, postgresService, redisService, type TestSchema } from './services.js';

export interface Nodes {
  a: ServerProcess;
  b: ServerProcess;
  /** Every node started at the beginning, `a` and `b` first. */
  all: ServerProcess[];
  /** The environment every node of this fixture shares (DATABASE_URL, REDIS_URL, REDIS_PREFIX…). */
  env: Record<string, string>;
  schema: TestSchema;
  /** Starts one more node on the same database and Redis (e.g. to replace a killed one). */
  startNode(extraEnv?: Record<string, string>): Promise<ServerProcess>;
  /** Kills every node still running, then drops the schema. */
  close(): Promise<void>;
}

/** PostgreSQL and Redis for this file: `skip` is a message when either is missing. */
export async function nodeServices(): Promise<{ skip: string | false }> {
  const [postgres, redis] = await Promise.all([postgresService(), redisService()]);
  return { skip: postgres.skip || redis.skip };
}

/**
 * Starts `count` nodes (at least 2: `a`, `b`, …) at the same time on a fresh schema (as
 * replicas of a first deployment do: they take turns migrating). `extraEnv` goes to every node.
 */
export async function startNodes(extraEnv: Record<string, string> = {}, count = 2): Promise<Nodes> {
  const redis = await redisService();
  const schema = await createTestSchema();
  const env = {
    DATABASE_URL: schema.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: `parley-nodes-${randomUUID().slice(0, 8)}:`,
    ...extraEnv,
  };
  const started: ServerProcess[] = [];
  const dirs: string[] = [];
  const startNode = async (more: Record<string, string> = {}) => {
    // Each node its own DATA_DIR: nothing may depend on a shared disk.
    const dataDir = tempDir('parley-node-');
    dirs.push(dataDir);
    const node = await startServer({ ...env, DATA_DIR: dataDir, ...more });
    started.push(node);
    return node;
  };
  const close = async () => {
    await Promise.all(started.map((node) => node.kill()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await schema.drop();
  };
  const results = await Promise.allSettled(Array.from({ length: Math.max(2, count) }, () => startNode()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  const all = results.map((r) => (r as PromiseFulfilledResult<ServerProcess>).value);
  return { a: all[0]!, b: all[1]!, all, env, schema, startNode, close };
}
