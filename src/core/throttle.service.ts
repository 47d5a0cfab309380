/**
 * Brute-force and abuse limits (SPEC 6), shared by every family's login route: failed
 * logins per username and per client address, sign-ups and password resets per address.
 * With `RATE_LIMITS=off` every check passes.
 */
import type { RateLimitConfig } from '../config.js';
import { rateLimited } from '../errors.js';
import { noopMetrics, type Metrics } from '../ports/metrics.js';
import type { RateLimiter } from '../ports/rate-limiter.js';

export interface Throttle {
  /** Throws 429 when the username or the address has used up its failed logins. */
  guardLogin(username: string, address: string): Promise<void>;
  recordLoginFailure(username: string, address: string): Promise<void>;
  /** A success clears the username's failures (the address keeps its count). */
  recordLoginSuccess(username: string): Promise<void>;
  /** Counts a sign-up attempt; throws 429 past the limit. */
  countSignup(address: string): Promise<void>;
  /** Counts a password-reset attempt; throws 429 past the limit. */
  countReset(address: string): Promise<void>;
  /** Counts a profile looked up without a token; throws 429 past the limit. */
  countProfileView(address: string): Promise<void>;
  /** Counts a message the user sends (one limiter call); throws 429 past the limit. */
  countSend(userId: number): Promise<void>;
  /** Counts a report the user files; throws 429 past the limit. */
  countReport(userId: number): Promise<void>;
}

/**
 * Builds the throttle on `limiter`. Each refusal is counted in `metrics` under the name of
 * the limit that refused it (`login_user`, `login_ip`, `signup_ip`, `reset_ip`, `profile_ip`, `send_user`,
 * `report_user`, as in
 * `RATE_LIMITS`).
 */
export function createThrottle(limiter: RateLimiter, limits: RateLimitConfig | null, metrics: Metrics = noopMetrics): Throttle {
  if (limits === null) {
    const pass = async () => {};
    return {
      guardLogin: pass,
      recordLoginFailure: pass,
      recordLoginSuccess: pass,
      countSignup: pass,
      countReset: pass,
      countProfileView: pass,
      countSend: pass,
      countReport: pass,
    };
  }
  const usernameKey = (username: string) => username.trim().toLowerCase();
  return {
    async guardLogin(username, address) {
      const [byName, byAddress] = await Promise.all([
        limiter.peek('login_user', usernameKey(username), limits.loginPerUsername),
        limiter.peek('login_ip', address, limits.loginPerAddress),
      ]);
      const nameWait = byName.count >= limits.loginPerUsername.points ? byName.retryAfterSeconds : 0;
      const addressWait = byAddress.count >= limits.loginPerAddress.points ? byAddress.retryAfterSeconds : 0;
      if (nameWait > 0) metrics.rateLimited('login_user');
      if (addressWait > 0) metrics.rateLimited('login_ip');
      const wait = Math.max(nameWait, addressWait);
      if (wait > 0) throw rateLimited(wait);
    },
    async recordLoginFailure(username, address) {
      await Promise.all([limiter.hit('login_user', usernameKey(username), limits.loginPerUsername), limiter.hit('login_ip', address, limits.loginPerAddress)]);
    },
    async recordLoginSuccess(username) {
      await limiter.reset('login_user', usernameKey(username), limits.loginPerUsername);
    },
    async countSignup(address) {
      const state = await limiter.hit('signup_ip', address, limits.signupPerAddress);
      if (state.count > limits.signupPerAddress.points) {
        metrics.rateLimited('signup_ip');
        throw rateLimited(state.retryAfterSeconds);
      }
    },
    async countReset(address) {
      const state = await limiter.hit('reset_ip', address, limits.resetPerAddress);
      if (state.count > limits.resetPerAddress.points) {
        metrics.rateLimited('reset_ip');
        throw rateLimited(state.retryAfterSeconds);
      }
    },
    async countProfileView(address) {
      const state = await limiter.hit('profile_ip', address, limits.profilePerAddress);
      if (state.count > limits.profilePerAddress.points) {
        metrics.rateLimited('profile_ip');
        throw rateLimited(state.retryAfterSeconds);
      }
    },
    async countSend(userId) {
      const state = await limiter.hit('send_user', String(userId), limits.sendPerUser);
      if (state.count > limits.sendPerUser.points) {
        metrics.rateLimited('send_user');
        throw rateLimited(state.retryAfterSeconds);
      }
    },
    async countReport(userId) {
      const state = await limiter.hit('report_user', String(userId), limits.reportPerUser);
      if (state.count > limits.reportPerUser.points) {
        metrics.rateLimited('report_user');
        throw rateLimited(state.retryAfterSeconds);
      }
    },
  };
}
