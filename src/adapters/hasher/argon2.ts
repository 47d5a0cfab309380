/**
 * argon2id through @node-rs/argon2, whose hash and verify run on libuv's thread pool, so
 * a login never stalls the event loop. Parameters default to OWASP's (m=19 MiB, t=2, p=1).
 * At most `concurrency` hashes run at once (default: cores − 1): a burst of logins then
 * queues for a moment instead of taking every core from the event loop and every other request.
 */
import { availableParallelism } from 'node:os';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import pLimit from 'p-limit';
import type { Hasher } from '../../ports/hasher.js';

// `Algorithm` is a const enum, which isolated modules cannot read; 2 is its Argon2id.
const ARGON2ID = 2 as Algorithm;

export interface Argon2Options {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
  concurrency?: number;
}

export function createArgon2Hasher(options: Argon2Options): Hasher {
  const params = {
    algorithm: ARGON2ID,
    memoryCost: options.memoryKiB,
    timeCost: options.timeCost,
    parallelism: options.parallelism,
  };
  const limit = pLimit(options.concurrency ?? Math.max(1, availableParallelism() - 1));
  return {
    hash: (secret) => limit(() => hash(secret, params)),
    verify: (phc, secret) =>
      limit(async () => {
        try {
          return await verify(phc, secret);
        } catch {
          return false;
        }
      }),
  };
}
