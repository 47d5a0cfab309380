/**
 * Group commit: work that arrives while a batch is being written waits for the next batch,
 * and each batch runs in one transaction, so N concurrent sends pay for one commit instead
 * of N. If a batch fails, every item in it is retried alone, so each caller gets exactly its
 * own result or error, as if there were no batching.
 */
export interface Batcher<I, O> {
  submit(item: I): Promise<O>;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export function createBatcher<I, O>(options: {
  /** Runs the whole batch at once (one transaction); returns one result per item, in order. */
  runBatch: (items: I[]) => Promise<O[]>;
  /** Runs one item on its own (its own transaction): the fallback after a failed batch. */
  runOne: (item: I) => Promise<O>;
  maxBatch?: number;
}): Batcher<I, O> {
  const maxBatch = options.maxBatch ?? 100;
  let queue: Array<Pending<I, O>> = [];
  let running = false;

  async function drain() {
    running = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      if (batch.length === 1) {
        const [only] = batch;
        await options.runOne(only!.item).then(only!.resolve, only!.reject);
        continue;
      }
      try {
        const results = await options.runBatch(batch.map((p) => p.item));
        for (const [i, p] of batch.entries()) p.resolve(results[i]!);
      } catch {
        for (const p of batch) await options.runOne(p.item).then(p.resolve, p.reject);
      }
    }
    running = false;
  }

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        // The first item starts a drain on the next tick, so concurrent callers join its batch.
        if (!running) {
          running = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}
