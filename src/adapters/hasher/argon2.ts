/**
 * argon2id through @node-rs/argon2, whose hash and verify run on libuv's thread pool, so
 * a login never stalls the event loop. Parameters default to OWASP's (m=19 MiB, t=2, p=1).
 */
import { hash, verify, type Algorithm } from '@node-rs/argon2';

// `Algorithm` is a const enum, which isolated modules cannot read; 2 is its Argon2id.
const ARGON2ID = 2 as Algorithm;
import type { Hasher } from '../../ports/hasher.js';

export interface Argon2Options {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
}

export function createArgon2Hasher(options: Argon2Options): Hasher {
  const params = {
    algorithm: ARGON2ID,
    memoryCost: options.memoryKiB,
    timeCost: options.timeCost,
    parallelism: options.parallelism,
  };
  return {
    hash: (secret) => hash(secret, params),
    async verify(phc, secret) {
      try {
        return await verify(phc, secret);
      } catch {
        return false;
      }
    },
  };
}
