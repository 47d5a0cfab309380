/**
 * Where Parley keeps things: the data folder, PostgreSQL or the embedded SQLite file, the Redis
 * bus, and uploads (`BLOB_STORE`), read through `loadConfig`'s readers.
 */
import path from 'node:path';
import type { Readers } from './config.readers.js';

export type BlobStoreKind = 'fs' | 'postgres';

export interface StorageConfig {
  dataDir: string;
  databaseUrl: string | undefined;
  /** Connections each node keeps open to PostgreSQL (`DATABASE_POOL_SIZE`). */
  databasePoolSize: number;
  redisUrl: string | undefined;
  /** Prefix of every Redis channel, so deployments can share one Redis (`REDIS_PREFIX`). */
  redisPrefix: string;
  /** How often each node pings Redis on its subscribing connection (`REDIS_HEARTBEAT_SECONDS`; 0 = never): a Redis that stops answering counts as lost. */
  redisHeartbeatSeconds: number;
  /** Where uploads go (`BLOB_STORE`): PostgreSQL, shared by every node, or `DATA_DIR/uploads`. */
  blobStore: BlobStoreKind;
  uploadMaxBytes: number;
  /** Uploads never attached (as a photo, chat image or attachment) are deleted after this long. */
  uploadUnattachedTtlSeconds: number;
  /** `MESSAGE_RETENTION_DAYS`: messages older than this many days are deleted; 0 keeps them forever. A chat may keep its own for less. */
  messageRetentionDays: number;
}

export function readStorageConfig(r: Readers): StorageConfig {
  const dataDir = path.resolve(r.cwd, r.get('DATA_DIR') ?? './data');
  const databaseUrl = r.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const databasePoolSize = r.int('DATABASE_POOL_SIZE', 10, 1, 200);
  const redisUrl = r.url('REDIS_URL', ['redis:', 'rediss:']);
  const redisPrefix = r.get('REDIS_PREFIX') ?? 'parley:';
  // No glob characters: the bus subscribes to the pattern `<prefix>*`.
  if (!/^[A-Za-z0-9:._-]{1,64}$/.test(redisPrefix)) {
    r.problems.push(`REDIS_PREFIX: expected 1 to 64 of A-Z a-z 0-9 : . _ - (such as "parley:"), got "${redisPrefix}"`);
  }
  const blobStore = (r.get('BLOB_STORE') ?? (databaseUrl ? 'postgres' : 'fs')) as BlobStoreKind;
  if (blobStore !== 'fs' && blobStore !== 'postgres') {
    r.problems.push(`BLOB_STORE: expected fs or postgres, got "${blobStore}"`);
  } else if (blobStore === 'postgres' && !databaseUrl && !r.problems.some((p) => p.startsWith('DATABASE_URL'))) {
    r.problems.push('BLOB_STORE: postgres keeps uploads in the database of DATABASE_URL, which is not set');
  }
  return {
    dataDir,
    databaseUrl,
    databasePoolSize,
    redisUrl,
    redisPrefix,
    redisHeartbeatSeconds: r.int('REDIS_HEARTBEAT_SECONDS', 5, 0, 3600),
    blobStore,
    uploadMaxBytes: r.int('UPLOAD_MAX_BYTES', 50 * 1024 * 1024, 1024, 10 * 1024 ** 3),
    uploadUnattachedTtlSeconds: r.int('UPLOAD_UNATTACHED_TTL_SECONDS', 24 * 3600, 60, 365 * 24 * 3600),
    messageRetentionDays: r.int('MESSAGE_RETENTION_DAYS', 0, 0, 36_500),
  };
}
