/**
 * One hashing thread of the argon2 hasher (run by Piscina). On Linux it lowers its own CPU
 * priority first (nice 19 for this thread only), so that when the cores are busy the
 * scheduler runs the event loop before a login's hash: an authenticated request then waits
 * for nobody's password, and hashes take the CPU the requests leave over.
 */
import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { hashSync, verifySync, type Algorithm } from '@node-rs/argon2';

/** Whether this thread runs at low priority (false where threads can't be reniced). */
export const lowered = lowerOwnPriority();

function lowerOwnPriority(): boolean {
  try {
    // "<pid>/task/<tid>": on Linux a thread's id takes a priority of its own.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, constants.priority.PRIORITY_LOW);
    return true;
  } catch {
    return false;
  }
}

// `Algorithm` is a const enum, which isolated modules cannot read; 2 is its Argon2id.
const ARGON2ID = 2 as Algorithm;

export interface HashTask {
  op: 'hash';
  secret: string;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}
export interface VerifyTask {
  op: 'verify';
  phc: string;
  secret: string;
}

export default function run(task: HashTask | VerifyTask | { op: 'priority' }): string | boolean {
  if (task.op === 'priority') return lowered;
  if (task.op === 'hash') {
    return hashSync(task.secret, { algorithm: ARGON2ID, memoryCost: task.memoryCost, timeCost: task.timeCost, parallelism: task.parallelism });
  }
  try {
    return verifySync(task.phc, task.secret);
  } catch {
    return false;
  }
}
