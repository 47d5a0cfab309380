/**
 * The one place that reads configuration. `loadConfig(env)` validates every variable and
 * either returns a frozen `Config` or throws a `ConfigError` listing one line per bad value,
 * so an operator sees every mistake at once rather than one per restart.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPushConfig, type PushConfig } from './config.push.js';

export type { PushConfig };

/** A fixed-window limit: at most `points` events per `durationSeconds`. */
export interface Limit {
  points: number;
  durationSeconds: number;
}

/** The rate limits of SPEC 6; `null` when `RATE_LIMITS=off`. */
export interface RateLimitConfig {
  loginPerUsername: Limit;
  loginPerAddress: Limit;
  signupPerAddress: Limit;
  resetPerAddress: Limit;
}

export type BlobStoreKind = 'fs' | 'postgres';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  /** Connections each node keeps open to PostgreSQL (`DATABASE_POOL_SIZE`). */
  databasePoolSize: number;
  redisUrl: string | undefined;
  /** Prefix of every Redis channel, so deployments can share one Redis (`REDIS_PREFIX`). */
  redisPrefix: string;
  tokenTtlSeconds: number;
  /** PEM text of the access-token signing key, when configured (else generated once). */
  tokenSigningKey: string | undefined;
  /** Where uploads go (`BLOB_STORE`): PostgreSQL, shared by every node, or `DATA_DIR/uploads`. */
  blobStore: BlobStoreKind;
  uploadMaxBytes: number;
  /** Uploads never attached (as a photo, chat image or attachment) are deleted after this long. */
  uploadUnattachedTtlSeconds: number;
  rateLimits: RateLimitConfig | null;
  vappPrefix: string;
  vonageApplicationId: string | undefined;
  vonagePrivateKey: string | undefined;
  vonageApiUrl: string;
  /** Each Conversation API attempt is aborted after this long (`VONAGE_TIMEOUT_MS`). */
  vonageTimeoutMs: number;
  /** Further attempts after a network error, timeout, 429 or 5xx (`VONAGE_RETRIES`). */
  vonageRetries: number;
  corsOrigins: string[];
  /** The built web app served at `/app` (`WEB_APP_DIR`, default `web/dist` of this package). */
  webAppDir: string;
  logLevel: LogLevel;
  /** `TRUST_PROXY`: false, true (any peer), or the proxy addresses/CIDRs whose `X-Forwarded-For` is believed. */
  trustProxy: boolean | string[];
  /** Prometheus metrics at `GET /metrics` (`METRICS`), behind a bearer token when `METRICS_TOKEN` is set. */
  metrics: { enabled: boolean; token: string | undefined };
  argon2: { memoryKiB: number; timeCost: number; parallelism: number; concurrency: number };
  /** JSON bodies larger than this are refused with 413 (SPEC 6: 64 KB). */
  bodyLimitBytes: number;
  /** Push notifications (APNs, FCM, Web Push); a transport is off unless configured. */
  push: PushConfig;
  realtime: {
    /** How long the event log keeps events for reconnecting clients. */
    eventRetentionSeconds: number;
    pingIntervalSeconds: number;
    /** A socket whose unsent data passes this is closed with 1013 (slow reader). */
    maxBufferedBytes: number;
    /** Largest frame a client may send. */
    maxPayloadBytes: number;
    /** Allowed `Origin`s for WebSocket upgrades; empty allows any. */
    origins: string[];
    /** Frames a socket may send per second on average (bursts of twice that); 0 = no limit. */
    maxFramesPerSecond: number;
  };
  http: {
    /** A connection that has not sent its request headers within this is closed (slowloris, half-open upgrades). */
    headersTimeoutMs: number;
    /** A request whose body has not arrived within this is closed; 0 = no limit. */
    requestTimeoutMs: number;
  };
  // ---- Failure handling (issue 24), kept in one block while config.ts is split. ----
  faults: {
    /** Image previews a node makes at once (`IMAGE_CONCURRENCY`); the rest wait their turn. */
    imageConcurrency: number;
    /**
     * An upload in progress renews its claim this often × 3 (`UPLOAD_LEASE_SECONDS`); past it
     * (the node crashed) the sweep frees the name and removes what was written.
     */
    uploadLeaseSeconds: number;
    /** A request body must average this many bytes per second once past the grace (`HTTP_MIN_BODY_BYTES_PER_SECOND`; 0 = off), else 408. */
    minBodyBytesPerSecond: number;
    /** How long a body may arrive before its rate is checked (`HTTP_BODY_GRACE_SECONDS`). */
    bodyGraceSeconds: number;
    /** Requests one address may have open at once (`HTTP_MAX_OPEN_REQUESTS_PER_ADDRESS`; 0 = no cap), else 429. */
    maxOpenRequestsPerAddress: number;
  };
}

/** Thrown by `loadConfig`; `problems` holds one human-readable line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = Object.freeze({
  loginPerUsername: { points: 10, durationSeconds: 15 * 60 },
  loginPerAddress: { points: 100, durationSeconds: 15 * 60 },
  signupPerAddress: { points: 100, durationSeconds: 60 * 60 },
  resetPerAddress: { points: 20, durationSeconds: 60 * 60 },
});

const RATE_LIMIT_KEYS: Record<string, keyof RateLimitConfig> = {
  login_user: 'loginPerUsername',
  login_ip: 'loginPerAddress',
  signup_ip: 'signupPerAddress',
  reset_ip: 'resetPerAddress',
};

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration from `env` (normally `process.env`). */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name}: expected a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, schemes: string[]): string | undefined => {
    const raw = get(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!schemes.includes(parsed.protocol)) throw new Error('scheme');
      return raw;
    } catch {
      problems.push(`${name}: expected a ${schemes.join(' or ')}// URL, got "${redactUrl(raw)}"`);
      return undefined;
    }
  };
  const pem = (name: string): string | undefined => {
    const raw = get(name);
    if (raw === undefined) return undefined;
    if (raw.startsWith('-----BEGIN')) return raw.replace(/\\n/g, '\n');
    const file = path.resolve(cwd, raw);
    if (!existsSync(file)) {
      problems.push(`${name}: expected PEM text or the path of a PEM file; no file at "${file}"`);
      return undefined;
    }
    const text = readFileSync(file, 'utf8');
    if (!text.includes('-----BEGIN')) {
      problems.push(`${name}: the file "${file}" holds no PEM block`);
      return undefined;
    }
    return text;
  };

  const port = int('PORT', 3000, 0, 65535);
  const host = get('HOST') ?? '0.0.0.0';
  const dataDir = path.resolve(cwd, get('DATA_DIR') ?? './data');
  const publicUrl = (url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const databasePoolSize = int('DATABASE_POOL_SIZE', 10, 1, 200);
  const redisUrl = url('REDIS_URL', ['redis:', 'rediss:']);
  const redisPrefix = get('REDIS_PREFIX') ?? 'parley:';
  // No glob characters: the bus subscribes to the pattern `<prefix>*`.
  if (!/^[A-Za-z0-9:._-]{1,64}$/.test(redisPrefix)) {
    problems.push(`REDIS_PREFIX: expected 1 to 64 of A-Z a-z 0-9 : . _ - (such as "parley:"), got "${redisPrefix}"`);
  }
  const tokenTtlSeconds = int('TOKEN_TTL_SECONDS', 3600, 60, 30 * 24 * 3600);
  const tokenSigningKey = pem('TOKEN_SIGNING_KEY');
  const blobStore = (get('BLOB_STORE') ?? (databaseUrl ? 'postgres' : 'fs')) as BlobStoreKind;
  if (blobStore !== 'fs' && blobStore !== 'postgres') {
    problems.push(`BLOB_STORE: expected fs or postgres, got "${blobStore}"`);
  } else if (blobStore === 'postgres' && !databaseUrl && !problems.some((p) => p.startsWith('DATABASE_URL'))) {
    problems.push('BLOB_STORE: postgres keeps uploads in the database of DATABASE_URL, which is not set');
  }
  const uploadMaxBytes = int('UPLOAD_MAX_BYTES', 50 * 1024 * 1024, 1024, 10 * 1024 ** 3);
  const uploadUnattachedTtlSeconds = int('UPLOAD_UNATTACHED_TTL_SECONDS', 24 * 3600, 60, 365 * 24 * 3600);
  const rateLimits = parseRateLimits(get('RATE_LIMITS'), problems);

  const vappPrefix = get('VAPP_PREFIX') ?? '/vapp';
  if (!/^\/[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(vappPrefix)) {
    problems.push(`VAPP_PREFIX: expected a path such as "/vapp", got "${vappPrefix}"`);
  }
  const vonageApplicationId = get('VONAGE_APPLICATION_ID');
  const vonagePrivateKey = pem('VONAGE_PRIVATE_KEY');
  if ((vonageApplicationId === undefined) !== (vonagePrivateKey === undefined) && !problems.some((p) => p.startsWith('VONAGE_PRIVATE_KEY'))) {
    problems.push('VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY: set both or neither');
  }
  const vonageApiUrl = (url('VONAGE_API_URL', ['http:', 'https:']) ?? 'https://api.nexmo.com').replace(/\/+$/, '');
  const vonageTimeoutMs = int('VONAGE_TIMEOUT_MS', 5000, 100, 60_000);
  const vonageRetries = int('VONAGE_RETRIES', 2, 0, 5);

  const corsOrigins = (get('CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`CORS_ORIGINS: "${origin}" is not an origin such as https://chat.example.com (or *)`);
    }
  }

  const logLevel = (get('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const trustProxy = parseTrustProxy(get('TRUST_PROXY'), problems);

  const metricsRaw = get('METRICS') ?? 'on';
  if (!['on', 'off'].includes(metricsRaw)) problems.push(`METRICS: expected on or off, got "${metricsRaw}"`);
  const metricsToken = get('METRICS_TOKEN');
  // Sent as a bearer token: visible ASCII only, and long enough not to be guessed.
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,512}$/.test(metricsToken)) {
    problems.push('METRICS_TOKEN: expected 16 to 512 visible ASCII characters (no spaces), such as the output of `openssl rand -hex 32`');
  }

  const argon2 = {
    memoryKiB: int('ARGON2_MEMORY_KIB', 19456, 1024, 4 * 1024 * 1024),
    timeCost: int('ARGON2_TIME_COST', 2, 1, 100),
    parallelism: int('ARGON2_PARALLELISM', 1, 1, 16),
    // Hashes at once; the rest queue. Default leaves one core to the event loop.
    concurrency: int('ARGON2_CONCURRENCY', Math.max(1, availableParallelism() - 1), 1, 64),
  };

  // src/config.ts and dist/config.js are both one level below the package root.
  const webAppDir = path.resolve(cwd, get('WEB_APP_DIR') ?? fileURLToPath(new URL('../web/dist', import.meta.url)));

  const wsOrigins = (get('WS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of wsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) problems.push(`WS_ORIGINS: "${origin}" is not an origin such as https://chat.example.com`);
  }
  const realtime = {
    eventRetentionSeconds: int('EVENT_RETENTION_SECONDS', 7 * 24 * 3600, 60, 365 * 24 * 3600),
    pingIntervalSeconds: int('WS_PING_INTERVAL_SECONDS', 30, 1, 3600),
    maxBufferedBytes: int('WS_MAX_BUFFERED_BYTES', 1024 * 1024, 1024, 1024 ** 3),
    maxPayloadBytes: int('WS_MAX_PAYLOAD_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
    origins: wsOrigins,
    // RATE_LIMITS=off (load tests) lifts the frame rate too, unless it is set explicitly.
    maxFramesPerSecond: int('WS_MAX_FRAMES_PER_SECOND', rateLimits === null ? 0 : 50, 0, 100_000),
  };
  const http = {
    headersTimeoutMs: int('HTTP_HEADERS_TIMEOUT_SECONDS', 20, 1, 600) * 1000,
    requestTimeoutMs: int('HTTP_REQUEST_TIMEOUT_SECONDS', 600, 0, 86_400) * 1000,
  };
  if (http.requestTimeoutMs !== 0 && http.requestTimeoutMs < http.headersTimeoutMs) {
    problems.push('HTTP_REQUEST_TIMEOUT_SECONDS must be 0 or at least HTTP_HEADERS_TIMEOUT_SECONDS');
  }

  const push = readPushConfig({ get, int, url, pem, problems, cwd });

  // ---- Failure handling (issue 24). ----
  const faults = {
    imageConcurrency: int('IMAGE_CONCURRENCY', 2, 1, 64),
    uploadLeaseSeconds: int('UPLOAD_LEASE_SECONDS', 60, 1, 3600),
    minBodyBytesPerSecond: int('HTTP_MIN_BODY_BYTES_PER_SECOND', 1024, 0, 1024 ** 3),
    bodyGraceSeconds: int('HTTP_BODY_GRACE_SECONDS', 10, 1, 3600),
    // RATE_LIMITS=off (load tests from one address) lifts the cap too, unless it is set explicitly.
    maxOpenRequestsPerAddress: int('HTTP_MAX_OPEN_REQUESTS_PER_ADDRESS', rateLimits === null ? 0 : 64, 0, 1_000_000),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port,
    host,
    dataDir,
    publicUrl,
    databaseUrl,
    databasePoolSize,
    redisUrl,
    redisPrefix,
    tokenTtlSeconds,
    tokenSigningKey,
    blobStore,
    uploadMaxBytes,
    uploadUnattachedTtlSeconds,
    rateLimits,
    vappPrefix,
    vonageApplicationId,
    vonagePrivateKey,
    vonageApiUrl,
    vonageTimeoutMs,
    vonageRetries,
    corsOrigins,
    webAppDir,
    logLevel: LOG_LEVELS.includes(logLevel) ? logLevel : 'info',
    trustProxy,
    metrics: Object.freeze({ enabled: metricsRaw !== 'off', token: metricsToken }),
    argon2,
    bodyLimitBytes: 64 * 1024,
    push,
    realtime,
    http,
    faults: Object.freeze(faults),
  });
}

/**
 * For a command's start: reads `.env` if present, then the configuration; a bad value prints
 * one line per problem and exits with status 1.
 */
export function loadConfigOrExit(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * `RATE_LIMITS` is `on` (the defaults), `off`, or a comma list overriding some defaults:
 * `login_user=10/15m,login_ip=100/15m,signup_ip=100/1h,reset_ip=20/1h`.
 */
function parseRateLimits(raw: string | undefined, problems: string[]): RateLimitConfig | null {
  if (raw === undefined || raw === 'on') return DEFAULT_RATE_LIMITS;
  if (raw === 'off') return null;
  const limits: RateLimitConfig = structuredClone(DEFAULT_RATE_LIMITS);
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z_]+)=(\d+)\/(\d+)([smhd])$/.exec(part);
    const key = match ? RATE_LIMIT_KEYS[match[1]!] : undefined;
    if (!match || !key || Number(match[2]) < 1 || Number(match[3]) < 1) {
      problems.push(
        `RATE_LIMITS: "${part}" is not on, off, or name=points/duration with name one of ${Object.keys(RATE_LIMIT_KEYS).join(', ')} (e.g. login_user=10/15m)`,
      );
      continue;
    }
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[match[4] as 's' | 'm' | 'h' | 'd'];
    limits[key] = { points: Number(match[2]), durationSeconds: Number(match[3]) * unit };
  }
  return limits;
}

/** Names `proxy-addr` (Fastify's `trustProxy`) accepts besides addresses and CIDRs. */
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * `TRUST_PROXY` is `false` (default), `true`, or a comma list of addresses, CIDRs
 * (`10.0.0.0/8`, `fd00::/8`) and the names loopback, linklocal, uniquelocal. Checked here
 * so a typo is a clear start-up line rather than an exception inside Fastify.
 */
function parseTrustProxy(raw: string | undefined, problems: string[]): boolean | string[] {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (PROXY_NAMES.includes(entry) || (family !== 0 && bitsOk && extra === undefined)) continue;
    problems.push(`TRUST_PROXY: "${entry}" is not true, false, an IP address, a CIDR (such as 10.0.0.0/8) or one of ${PROXY_NAMES.join(', ')}`);
  }
  return entries;
}

/** Hides a password in a URL before it is echoed in an error line or a log. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^:/@]*):([^@/]+)@/, '//$1:***@');
}
