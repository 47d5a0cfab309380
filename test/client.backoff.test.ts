/** Reconnect delays of the client: exponential, capped, jittered between half and all. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from '../client/src/index.js';

test('backoff doubles from initialMs, never passes maxMs, and jitters within [half, all]', () => {
  const opts = { initialMs: 100, maxMs: 1000, factor: 2 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, opts, () => 1)),
    [100, 200, 400, 800, 1000, 1000],
  );
  assert.deepEqual(
    [0, 1, 2].map((n) => backoffDelay(n, opts, () => 0)),
    [50, 100, 200],
  );
  for (let i = 0; i < 50; i++) {
    const d = backoffDelay(3, opts);
    assert.ok(d >= 400 && d <= 800, `delay ${d}`);
  }
});
