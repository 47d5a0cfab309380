/** Reconnect delays: exponential, capped, with jitter so that clients don't return in step. */
export interface BackoffOptions {
  /** First delay, ms (default 250). */
  initialMs: number;
  /** Longest delay, ms (default 10 000). */
  maxMs: number;
  /** Growth per failed attempt (default 2). */
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 10_000, factor: 2 };

/** The delay before attempt `attempt` (0-based): between half and all of the capped exponential. */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const full = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt));
  return Math.round(full / 2 + (full / 2) * random());
}
