// @one-pass: no store; the PostgreSQL + Redis pass would run it again unchanged.
/** The outbox workers' wake-up (src/core/coalescing-runner.ts): kicks during a pass make one more pass, never two at once. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coalescingRunner } from '../src/core/coalescing-runner.js';

describe('coalescing runner', () => {
  it('turns any number of kicks during a pass into one more pass, one pass at a time', async () => {
    let passes = 0;
    let inPass = 0;
    let release: () => void = () => {};
    const runner = coalescingRunner(
      async () => {
        passes++;
        inPass++;
        assert.equal(inPass, 1, 'two passes at once');
        if (passes === 1) await new Promise<void>((resolve) => (release = resolve));
        inPass--;
      },
      () => false,
    );
    runner.kick();
    for (let i = 0; i < 10; i++) runner.kick();
    release();
    await runner.idle();
    assert.equal(passes, 2);
    runner.kick();
    await runner.idle();
    assert.equal(passes, 3);
  });

  it('runs nothing once stopped', async () => {
    let passes = 0;
    const runner = coalescingRunner(
      async () => void passes++,
      () => true,
    );
    runner.kick();
    await runner.idle();
    assert.equal(passes, 0);
  });
});
