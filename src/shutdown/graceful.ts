/**
 * The server's shutdown on SIGTERM, SIGINT or SIGHUP (or a crash): bounded, and honest in its exit code.
 *
 * 1. A watchdog process is started first (watchdog.ts): it SIGKILLs this one at grace + 2 s,
 *    whatever state this process is in.
 * 2. `close` runs (the app's close: stop accepting, drain and close sockets, finish requests,
 *    stop workers, close the bus and the store).
 * 3. The last log line says how long it took and how many log lines were dropped; the log
 *    stream gets a bounded time to reach stdout; the process exits 0.
 * Past the grace period, or when `close` fails, or after an uncaught error, it exits 1; a
 * second signal exits 1 at once.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { LogStream } from '../logging/log-stream.js';
import { startWatchdog } from './watchdog.js';

export interface GracefulOptions {
  /** What shutting down does (the app's `close`). */
  close: () => Promise<void>;
  log: FastifyBaseLogger;
  /** The log destination, flushed (for a bounded time) before exiting. */
  logStream?: LogStream | undefined;
  /** How long `close` may take before the process exits 1. Default 10 s. */
  graceMs?: number;
  /** How long after the grace period the watchdog SIGKILLs the process. Default 2 s. */
  watchdogMarginMs?: number;
}

/** How long the last log lines may take to reach stdout before the process exits anyway. */
const FINAL_FLUSH_MS = 1000;

/** Installs the signal and crash handlers; returns a function that starts shutdown by hand. */
export function handleShutdown(options: GracefulOptions): (reason?: string) => void {
  const { close, log, logStream, graceMs = 10_000, watchdogMarginMs = 2000 } = options;
  let started = false;

  const exit = async (code: number) => {
    await logStream?.flush(FINAL_FLUSH_MS);
    process.exit(code);
  };

  const shutdown = (reason: { signal?: string; err?: unknown }) => {
    if (started) {
      log.error(reason, 'second signal or error during shutdown: exiting now');
      void exit(1);
      return;
    }
    started = true;
    const began = Date.now();
    const watchdog = startWatchdog(graceMs + watchdogMarginMs);
    if (reason.err) log.error({ err: reason.err, watchdog: watchdog.pid }, 'shutting down after an error');
    else log.info({ signal: reason.signal, graceMs, watchdog: watchdog.pid }, 'shutting down');
    // Not unref'd: this timer is what ends a close that never settles.
    const grace = setTimeout(() => {
      log.error({ graceMs, dropped: logStream?.dropped ?? 0 }, 'shutdown passed its grace period: exiting with status 1');
      void exit(1);
    }, graceMs);
    close().then(
      () => {
        clearTimeout(grace);
        const droppedLogLines = logStream?.dropped ?? 0;
        log.info({ ms: Date.now() - began, droppedLogLines }, 'shut down');
        void exit(reason.err ? 1 : 0);
      },
      (err: unknown) => {
        clearTimeout(grace);
        log.error({ err }, 'shutdown failed');
        void exit(1);
      },
    );
  };

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => shutdown({ signal }));
  process.on('uncaughtException', (err) => shutdown({ err }));
  process.on('unhandledRejection', (err) => shutdown({ err }));
  return (signal = 'manual') => shutdown({ signal });
}
