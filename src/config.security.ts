/**
 * Who may do what, and how hard it is to guess: access tokens, the rate limits of SPEC 6,
 * password hashing, CORS, trusted proxies and the metrics token, read through `loadConfig`'s
 * readers.
 */
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import type { Readers } from './config.readers.js';

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
  /** Profiles looked up without a token (`GET /users/<id>`), per address: against enumeration. */
  profilePerAddress: Limit;
  /** Messages one user sends (REST and socket, every chat and family together), per window. */
  sendPerUser: Limit;
  /** Reports a user files (`POST /reports`), per user: against flooding the admins' queue. */
  reportPerUser: Limit;
}

export interface TokenConfig {
  tokenTtlSeconds: number;
  /** PEM text of the access-token signing key, when configured (else generated once). */
  tokenSigningKey: string | undefined;
  rateLimits: RateLimitConfig | null;
}

export interface SecurityConfig {
  corsOrigins: string[];
  /** `TRUST_PROXY`: false, true (any peer), or the proxy addresses/CIDRs whose `X-Forwarded-For` is believed. */
  trustProxy: boolean | string[];
  /** Prometheus metrics at `GET /metrics` (`METRICS`), behind a bearer token when `METRICS_TOKEN` is set. */
  metrics: { enabled: boolean; token: string | undefined };
  argon2: { memoryKiB: number; timeCost: number; parallelism: number; concurrency: number };
  /**
   * `PUBLIC_PROFILES` (`on`, default): `GET /users/<id>` answers public info without a token, as
   * the seed and upstream serve it (rate-limited per address); `off` requires a token.
   */
  publicProfiles: boolean;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = Object.freeze({
  loginPerUsername: { points: 10, durationSeconds: 15 * 60 },
  loginPerAddress: { points: 100, durationSeconds: 15 * 60 },
  signupPerAddress: { points: 100, durationSeconds: 60 * 60 },
  resetPerAddress: { points: 20, durationSeconds: 60 * 60 },
  profilePerAddress: { points: 300, durationSeconds: 15 * 60 },
  // One a second on average, bursts included: people type slower; bots and load tests lift it.
  sendPerUser: { points: 60, durationSeconds: 60 },
  reportPerUser: { points: 20, durationSeconds: 60 * 60 },
});

const RATE_LIMIT_KEYS: Record<string, keyof RateLimitConfig> = {
  login_user: 'loginPerUsername',
  login_ip: 'loginPerAddress',
  signup_ip: 'signupPerAddress',
  reset_ip: 'resetPerAddress',
  profile_ip: 'profilePerAddress',
  send_user: 'sendPerUser',
  report_user: 'reportPerUser',
};

/** Access tokens and the login/sign-up rate limits. */
export function readTokenConfig(r: Readers): TokenConfig {
  return {
    tokenTtlSeconds: r.int('TOKEN_TTL_SECONDS', 3600, 60, 30 * 24 * 3600),
    tokenSigningKey: r.pem('TOKEN_SIGNING_KEY'),
    rateLimits: parseRateLimits(r.get('RATE_LIMITS'), r.problems),
  };
}

/** CORS, trusted proxies, metrics access and password hashing. */
export function readSecurityConfig(r: Readers): SecurityConfig {
  const corsOrigins = r.origins('CORS_ORIGINS', true);
  const trustProxy = parseTrustProxy(r.get('TRUST_PROXY'), r.problems);
  const metricsRaw = r.get('METRICS') ?? 'on';
  if (!['on', 'off'].includes(metricsRaw)) r.problems.push(`METRICS: expected on or off, got "${metricsRaw}"`);
  const metricsToken = r.get('METRICS_TOKEN');
  const publicProfiles = r.get('PUBLIC_PROFILES') ?? 'on';
  if (!['on', 'off'].includes(publicProfiles)) r.problems.push(`PUBLIC_PROFILES: expected on or off, got "${publicProfiles}"`);
  // Sent as a bearer token: visible ASCII only, and long enough not to be guessed.
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,512}$/.test(metricsToken)) {
    r.problems.push('METRICS_TOKEN: expected 16 to 512 visible ASCII characters (no spaces), such as the output of `openssl rand -hex 32`');
  }
  return {
    corsOrigins,
    trustProxy,
    metrics: Object.freeze({ enabled: metricsRaw !== 'off', token: metricsToken }),
    publicProfiles: publicProfiles !== 'off',
    argon2: {
      memoryKiB: r.int('ARGON2_MEMORY_KIB', 19456, 1024, 4 * 1024 * 1024),
      timeCost: r.int('ARGON2_TIME_COST', 2, 1, 100),
      parallelism: r.int('ARGON2_PARALLELISM', 1, 1, 16),
      // Hashes at once; the rest queue. Default leaves one core to the event loop.
      concurrency: r.int('ARGON2_CONCURRENCY', Math.max(1, availableParallelism() - 1), 1, 64),
    },
  };
}

/**
 * `RATE_LIMITS` is `on` (the defaults), `off`, or a comma list overriding some defaults:
 * `login_user=10/15m,login_ip=100/15m,signup_ip=100/1h,reset_ip=20/1h,profile_ip=300/15m,send_user=60/1m,report_user=20/1h`.
 */
function parseRateLimits(raw: string | undefined, problems: string[]): RateLimitConfig | null {
  if (raw === undefined || raw === 'on') return DEFAULT_RATE_LIMITS;
  if (raw === 'off') return null;
  const limits: RateLimitConfig = structuredClone(DEFAULT_RATE_LIMITS);
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
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
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
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
