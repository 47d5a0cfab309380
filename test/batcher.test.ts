import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBatcher } from '../src/core/batcher.js';

describe('batcher (group commit)', () => {
  it('runs concurrent submissions as one batch, each caller getting its own result', async () => {
    const batches: number[][] = [];
    const batcher = createBatcher<number, number>({
      runBatch: async (items) => (batches.push(items), items.map((i) => i * 10)),
      runOne: async (i) => i * 10,
    });
    const results = await Promise.all([1, 2, 3, 4].map((i) => batcher.submit(i)));
    assert.deepEqual(results, [10, 20, 30, 40]);
    assert.deepEqual(batches, [[1, 2, 3, 4]]);
  });

  it('retries every item alone when a batch fails, so only the bad one fails', async () => {
    let singles = 0;
    const batcher = createBatcher<number, number>({
      runBatch: async () => {
        throw new Error('batch failed');
      },
      runOne: async (i) => {
        singles++;
        if (i === 2) throw new Error('two is bad');
        return i;
      },
    });
    const results = await Promise.allSettled([1, 2, 3].map((i) => batcher.submit(i)));
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal(singles, 3);
  });

  it('caps a batch and keeps later submissions for the next one, in order', async () => {
    const batches: number[][] = [];
    const batcher = createBatcher<number, number>({
      runBatch: async (items) => (batches.push(items), items),
      runOne: async (i) => (batches.push([i]), i),
      maxBatch: 2,
    });
    await Promise.all([1, 2, 3, 4, 5].map((i) => batcher.submit(i)));
    assert.deepEqual(batches, [[1, 2], [3, 4], [5]]);
  });
});
