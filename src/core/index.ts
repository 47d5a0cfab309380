/**
 * Builds the domain services from the ports. Knows nothing of HTTP or of which adapters
 * are behind the ports; `app.ts` chooses those.
 */
import type { Config } from '../config.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Bus } from '../ports/bus.js';
import type { Clock } from '../ports/clock.js';
import type { Hasher } from '../ports/hasher.js';
import type { RateLimiter } from '../ports/rate-limiter.js';
import type { Store } from '../ports/store.js';
import { createAccountsService } from './accounts.service.js';
import { createMediaService } from './media.service.js';
import { createSessionsService } from './sessions.service.js';
import { createThrottle } from './throttle.service.js';
import { createTokenService } from './tokens.service.js';
import { createUsersService } from './users.service.js';

export interface CorePorts {
  store: Store;
  bus: Bus;
  blobs: BlobStore;
  hasher: Hasher;
  limiter: RateLimiter;
  clock: Clock;
}

export type Core = Awaited<ReturnType<typeof createCore>>;

export type CoreConfig = Pick<Config, 'tokenTtlSeconds' | 'tokenSigningKey' | 'rateLimits' | 'uploadMaxBytes' | 'uploadUnattachedTtlSeconds'>;

export async function createCore(ports: CorePorts, config: CoreConfig) {
  const { store, bus, blobs, hasher, limiter, clock } = ports;
  const tokens = await createTokenService({ store, clock, ttlSeconds: config.tokenTtlSeconds, configuredKeyPem: config.tokenSigningKey });
  const throttle = createThrottle(limiter, config.rateLimits);
  const sessions = createSessionsService({ store, bus, tokens, clock });
  const media = createMediaService({
    store,
    blobs,
    clock,
    maxBytes: config.uploadMaxBytes,
    unattachedTtlSeconds: config.uploadUnattachedTtlSeconds,
  });
  const accounts = await createAccountsService({ store, bus, hasher, sessions, media, throttle, clock });
  const users = createUsersService({ store, bus, media, clock });
  return { ports, tokens, throttle, sessions, media, accounts, users };
}
