/**
 * Where a node's log lines go: stdout, without ever blocking the process on it.
 *
 * Pino's default destination writes synchronously and, when stdout is a pipe whose reader
 * stalled (a full pipe answers EAGAIN), retries forever inside `Atomics.wait`: one log line
 * then freezes the whole process, shutdown included. Here lines go through `process.stdout`,
 * which for pipes and sockets writes without blocking and queues the rest in memory; past
 * `maxQueuedBytes` queued, lines are dropped and counted instead. The count is written as a
 * log line of its own once stdout accepts lines again, and reported at shutdown; `flush`
 * waits for the queue to empty for a bounded time, never longer.
 */
import { hostname } from 'node:os';

/** What pino needs of a destination, plus what shutdown asks of it. */
export interface LogStream {
  /** Takes one serialised line (pino adds the newline); drops it when too much is queued. */
  write(line: string): void;
  /** Lines dropped so far because stdout did not keep up (or failed). */
  readonly dropped: number;
  /** Resolves once every queued line reached stdout, or after `timeoutMs`, whichever is first. */
  flush(timeoutMs: number): Promise<boolean>;
}

/** The writable side `createLogStream` uses: `process.stdout` unless a test gives another. */
export interface LineSink {
  write(chunk: string): boolean;
  readonly writableLength: number;
  once(event: 'drain', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'drain', listener: () => void): unknown;
}

export interface LogStreamOptions {
  /** Bytes queued for stdout beyond which lines are dropped. Default 4 MiB. */
  maxQueuedBytes?: number;
  /** Default `process.stdout`. */
  sink?: LineSink;
}

const WARN = 40;

/** A bounded, non-blocking log destination over stdout. */
export function createLogStream(options: LogStreamOptions = {}): LogStream {
  const { maxQueuedBytes = 4 * 1024 * 1024, sink = process.stdout } = options;
  let dropped = 0;
  let unreported = 0;
  let failed = false;
  // EPIPE (the reader went away) or ENOSPC (a full disk behind a redirect): logging stops, the
  // server does not. Without a listener the error would be thrown as uncaught.
  sink.on('error', () => {
    failed = true;
  });

  const report = () => {
    const line = JSON.stringify({
      level: WARN,
      time: Date.now(),
      pid: process.pid,
      hostname: hostname(),
      dropped: unreported,
      msg: 'log lines were dropped: stdout did not keep up',
    });
    unreported = 0;
    sink.write(`${line}\n`);
  };

  return {
    write(line: string) {
      if (failed || sink.writableLength > maxQueuedBytes) {
        dropped++;
        unreported++;
        return;
      }
      if (unreported > 0) report();
      sink.write(line);
    },
    get dropped() {
      return dropped;
    },
    flush(timeoutMs: number) {
      if (failed) return Promise.resolve(false);
      if (unreported > 0 && sink.writableLength <= maxQueuedBytes) report();
      if (sink.writableLength === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const drained = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          sink.removeListener('drain', drained);
          resolve(false);
        }, timeoutMs);
        timer.unref();
        sink.once('drain', drained);
      });
    },
  };
}
