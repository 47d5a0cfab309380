/**
 * argon2id through @node-rs/argon2 on a pool of worker threads (Piscina), so a login never
 * stalls the event loop. Parameters default to OWASP's (m=19 MiB, t=2, p=1).
 *
 * At most `concurrency` hashes run at once (default: cores − 1), and the hashing threads run
 * at the lowest CPU priority (see `argon2.worker.ts`): a burst of logins queues for a moment
 * and uses the CPU the requests leave over, instead of taking cores from the event loop.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Hasher } from '../../ports/hasher.js';
import type { HashTask, VerifyTask } from './argon2.worker.js';

export interface Argon2Options {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
  concurrency?: number;
}

export interface Argon2Hasher extends Hasher {
  /** True when the hashing threads run at low CPU priority (Linux). */
  lowPriority(): Promise<boolean>;
  /** Stops the hashing threads once queued work is done. */
  close(): Promise<void>;
}

// The worker is a sibling of this module: `.js` once built, `.ts` when run through tsx.
const here = fileURLToPath(import.meta.url);
const workerFile = path.join(path.dirname(here), `argon2.worker${path.extname(here)}`);

export function createArgon2Hasher(options: Argon2Options): Argon2Hasher {
  const threads = options.concurrency ?? Math.max(1, availableParallelism() - 1);
  const pool = new Piscina({
    filename: workerFile,
    minThreads: 0,
    maxThreads: threads,
    // One hash per thread: more would only queue inside the thread.
    concurrentTasksPerWorker: 1,
    idleTimeout: 30_000,
  });
  const params = { memoryCost: options.memoryKiB, timeCost: options.timeCost, parallelism: options.parallelism };
  const run = <T>(task: HashTask | VerifyTask | { op: 'priority' }) => pool.run(task) as Promise<T>;
  return {
    hash: (secret) => run<string>({ op: 'hash', secret, ...params }),
    verify: (phc, secret) => run<boolean>({ op: 'verify', phc, secret }),
    lowPriority: () => run<boolean>({ op: 'priority' }),
    close: () => pool.destroy(),
  };
}
