/**
 * The RateLimiter port's contract: fixed windows counted per bucket and key, shared by every
 * limiter on the same storage (every node on one database). Run by
 * `rate-limiter.contract.test.ts` against each adapter that is available.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { Limit } from '../../src/config.js';
import type { RateLimiter } from '../../src/ports/rate-limiter.js';

export interface LimiterFixture {
  limiter: RateLimiter;
  /** Another limiter on the same storage, as another node would have. */
  peer: RateLimiter;
  close(): Promise<void>;
}

const hour: Limit = { points: 3, durationSeconds: 3600 };
const key = () => `k-${randomUUID()}`;

export function rateLimiterContract(name: string, open: () => Promise<LimiterFixture>, options: { skip?: string | false } = {}) {
  describe(`RateLimiter contract: ${name}`, { skip: options.skip ?? false }, () => {
    const withFixture = (test: (f: LimiterFixture) => Promise<void>) => async () => {
      const fixture = await open();
      try {
        await test(fixture);
      } finally {
        await fixture.close();
      }
    };

    it(
      'counts hits per bucket and key, peeks without counting, and resets',
      withFixture(async ({ limiter }) => {
        const k = key();
        assert.deepEqual(await limiter.peek('login_user', k, hour), { count: 0, retryAfterSeconds: 0 });
        const first = await limiter.hit('login_user', k, hour);
        assert.equal(first.count, 1);
        assert.ok(first.retryAfterSeconds > 3590 && first.retryAfterSeconds <= 3600, `retryAfter ${first.retryAfterSeconds}`);
        assert.equal((await limiter.hit('login_user', k, hour)).count, 2);
        assert.equal((await limiter.peek('login_user', k, hour)).count, 2);
        assert.equal((await limiter.peek('login_user', k, hour)).count, 2, 'peek counts nothing');
        // Past the points the count goes on (the core decides what it means); nothing throws.
        for (let i = 0; i < 3; i++) await limiter.hit('login_user', k, hour);
        assert.equal((await limiter.peek('login_user', k, hour)).count, 5);
        assert.equal((await limiter.peek('login_ip', k, hour)).count, 0, 'buckets are separate');
        assert.equal((await limiter.peek('login_user', key(), hour)).count, 0, 'keys are separate');
        await limiter.reset('login_user', k, hour);
        assert.deepEqual(await limiter.peek('login_user', k, hour), { count: 0, retryAfterSeconds: 0 });
        await limiter.reset('login_user', key(), hour); // resetting nothing is fine
      }),
    );

    it(
      'starts a new window when the old one ends',
      withFixture(async ({ limiter }) => {
        const k = key();
        const second: Limit = { points: 2, durationSeconds: 1 };
        assert.equal((await limiter.hit('signup_ip', k, second)).count, 1);
        const full = await limiter.hit('signup_ip', k, second);
        assert.equal(full.count, 2);
        assert.equal(full.retryAfterSeconds, 1);
        await sleep(1100);
        assert.deepEqual(await limiter.peek('signup_ip', k, second), { count: 0, retryAfterSeconds: 0 });
        assert.equal((await limiter.hit('signup_ip', k, second)).count, 1);
      }),
    );

    it(
      'counts every one of many concurrent hits',
      withFixture(async ({ limiter, peer }) => {
        const k = key();
        await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? limiter : peer).hit('reset_ip', k, hour)));
        assert.equal((await limiter.peek('reset_ip', k, hour)).count, 20);
      }),
    );

    it(
      'shares counts with every limiter on the same storage',
      withFixture(async ({ limiter, peer }) => {
        const k = key();
        await limiter.hit('login_ip', k, hour);
        await peer.hit('login_ip', k, hour);
        assert.equal((await peer.peek('login_ip', k, hour)).count, 2);
        await peer.reset('login_ip', k, hour);
        assert.equal((await limiter.peek('login_ip', k, hour)).count, 0);
      }),
    );

    it(
      'keeps separate counts for windows of different lengths',
      withFixture(async ({ limiter }) => {
        const k = key();
        await limiter.hit('login_user', k, hour);
        assert.equal((await limiter.peek('login_user', k, { points: 3, durationSeconds: 60 })).count, 0);
      }),
    );

    it(
      'takes keys of any length and character',
      withFixture(async ({ limiter }) => {
        const long = `${'é'.repeat(300)}@example.com`;
        assert.equal((await limiter.hit('login_user', long, hour)).count, 1);
        assert.equal((await limiter.hit('login_user', long, hour)).count, 2);
        assert.equal((await limiter.peek('login_user', `${long}x`, hour)).count, 0);
        const odd = `it's "quoted" % _ \\ ${randomUUID()}`;
        assert.equal((await limiter.hit('login_user', odd, hour)).count, 1);
      }),
    );
  });
}
