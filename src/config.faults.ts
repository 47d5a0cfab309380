/**
 * Failure handling (issue 24): image preview concurrency, upload leases, the minimum request
 * body rate, the per-address cap on open requests and how long `/readyz` remembers a failed
 * write, read through `loadConfig`'s readers.
 */
import type { Readers } from './config.readers.js';

export interface FaultsConfig {
  /** Image previews a node makes at once (`IMAGE_CONCURRENCY`); the rest wait their turn. */
  imageConcurrency: number;
  /**
   * An upload in progress renews its claim every third of this (`UPLOAD_LEASE_SECONDS`); past
   * it (the node crashed) the sweep frees the name and removes what was written.
   */
  uploadLeaseSeconds: number;
  /** A request body must average this many bytes per second once past the grace (`HTTP_MIN_BODY_BYTES_PER_SECOND`; 0 = off), else 408. */
  minBodyBytesPerSecond: number;
  /** How long a body may arrive before its rate is checked (`HTTP_BODY_GRACE_SECONDS`). */
  bodyGraceSeconds: number;
  /** Requests one address may have open at once (`HTTP_MAX_OPEN_REQUESTS_PER_ADDRESS`; 0 = no cap), else 429. */
  maxOpenRequestsPerAddress: number;
  /** `/readyz` answers 503 for this long after a request failed on the database or the disk (`READYZ_FAILURE_SECONDS`). */
  readyzFailureSeconds: number;
}

/** `rateLimitsOff` (RATE_LIMITS=off, load tests from one address) lifts the per-address cap too, unless it is set explicitly. */
export function readFaultsConfig(r: Readers, rateLimitsOff: boolean): FaultsConfig {
  return {
    imageConcurrency: r.int('IMAGE_CONCURRENCY', 2, 1, 64),
    uploadLeaseSeconds: r.int('UPLOAD_LEASE_SECONDS', 60, 1, 3600),
    minBodyBytesPerSecond: r.int('HTTP_MIN_BODY_BYTES_PER_SECOND', 1024, 0, 1024 ** 3),
    bodyGraceSeconds: r.int('HTTP_BODY_GRACE_SECONDS', 10, 1, 3600),
    maxOpenRequestsPerAddress: r.int('HTTP_MAX_OPEN_REQUESTS_PER_ADDRESS', rateLimitsOff ? 0 : 64, 0, 1_000_000),
    readyzFailureSeconds: r.int('READYZ_FAILURE_SECONDS', 30, 0, 3600),
  };
}
