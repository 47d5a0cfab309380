/** Resident memory of a process, from /proc (Linux), in bytes. */
import { readFileSync } from 'node:fs';

export function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) * 1024;
}

export const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
