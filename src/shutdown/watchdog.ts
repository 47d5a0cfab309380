/**
 * The last resort of shutdown: a separate process that SIGKILLs this one if it still runs
 * `afterMs` after shutdown began.
 *
 * Why a process and not a timer or a worker thread: the hangs seen were of the whole process,
 * not of the event loop alone. The main thread blocked in a write to a full stdout pipe never
 * runs a timer; and `process.exit` itself waits for threads (a worker's timer cannot end a
 * process stuck in exit while a thread pool thread is blocked in `write()`). Only another
 * process can end it then.
 *
 * The watchdog is a tiny `node -e` script with no access to our stdio (so a pipe reader sees
 * end-of-file when we exit, not when it does), in its own process group (a terminal's Ctrl-C
 * does not reach it) and ignoring SIGTERM and SIGINT (a service manager signalling the whole
 * group does not stop it early). It learns that we are gone from a pipe on its stdin, not from
 * our pid, so it can never kill an unrelated process that later got our pid: the pipe closes
 * when we exit, however we exit, and it then exits at once.
 */
import { spawn } from 'node:child_process';

/** The watchdog's program: kill the parent after the delay unless stdin closed first. */
const SCRIPT = `
const [parent, afterMs] = process.argv.slice(1).map(Number);
process.on('SIGTERM', () => {});
process.on('SIGINT', () => {});
process.stdin.on('data', () => {});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
setTimeout(() => {
  try { process.kill(parent, 'SIGKILL'); } catch {}
  process.exit(0);
}, afterMs);
`;

export interface Watchdog {
  /** The watchdog's pid (for logs and tests). */
  pid: number | undefined;
}

/**
 * Starts the watchdog: this process is SIGKILLed `afterMs` from now unless it exited before.
 * Nothing in this process waits for the watchdog (it never keeps the event loop alive).
 */
export function startWatchdog(afterMs: number): Watchdog {
  const child = spawn(process.execPath, ['-e', SCRIPT, String(process.pid), String(Math.round(afterMs))], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    // Nothing of ours (NODE_OPTIONS such as `--import tsx`): the script is plain JavaScript.
    env: {},
  });
  child.on('error', () => {});
  child.stdin?.on('error', () => {});
  child.unref();
  // The pipe stays open (our end closes when we exit), but must not keep us running.
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return { pid: child.pid };
}
