/**
 * The one place that reads configuration. `loadConfig(env)` validates every variable and
 * either returns a frozen `Config` or throws a `ConfigError` listing one line per bad value,
 * so an operator sees every mistake at once rather than one per restart. Each area reads its
 * own variables (config.<area>.ts) through the readers of config.readers.ts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFaultsConfig, type FaultsConfig } from './config.faults.js';
import { readOidcConfig, readWebhookConfig, type OidcConfig, type WebhookConfig } from './config.integrations.js';
import { readPushConfig, type PushConfig } from './config.push.js';
import { createReaders, type Env } from './config.readers.js';
import { readHttpConfig, readRealtimeConfig, type HttpConfig, type RealtimeConfig } from './config.realtime.js';
import { readSecurityConfig, readTokenConfig, type SecurityConfig, type TokenConfig } from './config.security.js';
import { readStorageConfig, type StorageConfig } from './config.storage.js';
import { readVappConfig, type VappConfig } from './config.vapp.js';

export type { PushConfig, RealtimeConfig, HttpConfig, FaultsConfig, OidcConfig };
export { redactUrl } from './config.readers.js';
export { DEFAULT_RATE_LIMITS, type Limit, type RateLimitConfig } from './config.security.js';
export type { BlobStoreKind } from './config.storage.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config extends StorageConfig, TokenConfig, SecurityConfig, VappConfig {
  port: number;
  host: string;
  publicUrl: string;
  /** The built web app served at `/app` (`WEB_APP_DIR`, default `web/dist` of this package). */
  webAppDir: string;
  logLevel: LogLevel;
  /** JSON bodies larger than this are refused with 413 (SPEC 6: 64 KB). */
  bodyLimitBytes: number;
  /** Push notifications (APNs, FCM, Web Push); a transport is off unless configured. */
  push: PushConfig;
  /** Outgoing webhooks: allowed private hosts, retries, time limit. */
  webhooks: WebhookConfig;
  /** OIDC single sign-on; null when off. */
  oidc: OidcConfig | null;
  realtime: RealtimeConfig;
  http: HttpConfig;
  /** Failure handling: image concurrency, upload leases, body rate, open requests per address. */
  faults: FaultsConfig;
}

/** Thrown by `loadConfig`; `problems` holds one human-readable line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and validates the configuration from `env` (normally `process.env`). */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const r = createReaders(env, cwd, problems);

  const port = r.int('PORT', 3000, 0, 65535);
  const host = r.get('HOST') ?? '0.0.0.0';
  const publicUrl = (r.url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const storage = readStorageConfig(r);
  const tokens = readTokenConfig(r);
  const vapp = readVappConfig(r);
  const security = readSecurityConfig(r);
  const logLevel = (r.get('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  // src/config.ts and dist/config.js are both one level below the package root.
  const webAppDir = path.resolve(cwd, r.get('WEB_APP_DIR') ?? fileURLToPath(new URL('../web/dist', import.meta.url)));
  const realtime = readRealtimeConfig(r, tokens.rateLimits === null);
  const http = readHttpConfig(r);
  const push = readPushConfig(r);
  const webhooks = readWebhookConfig(r);
  const oidc = readOidcConfig(r, publicUrl);
  const faults = readFaultsConfig(r, tokens.rateLimits === null);

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port,
    host,
    publicUrl,
    ...storage,
    ...tokens,
    ...security,
    ...vapp,
    webAppDir,
    logLevel: LOG_LEVELS.includes(logLevel) ? logLevel : 'info',
    bodyLimitBytes: 64 * 1024,
    push,
    webhooks,
    oidc,
    realtime,
    http,
    faults,
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
