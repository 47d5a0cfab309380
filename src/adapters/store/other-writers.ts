/**
 * Notices commits to the SQLite file by other processes (the admin CLI, a restore): SQLite's
 * `PRAGMA data_version` changes when another connection has committed. Polled, because
 * asking on every read would take WAL's shared-memory locks each time; so what another
 * process writes is seen within `intervalMs`.
 */
import type SqliteDatabase from 'better-sqlite3';

export interface OtherWriters {
  listen(listener: () => void): void;
  stop(): void;
}

/** Starts polling `connection`; the timer never keeps the process alive. */
export function watchOtherWriters(connection: SqliteDatabase.Database, intervalMs = 100): OtherWriters {
  const version = connection.prepare('PRAGMA data_version').pluck();
  const listeners: Array<() => void> = [];
  let seen = version.get();
  const timer = setInterval(() => {
    if (!connection.open) return;
    const now = version.get();
    if (now === seen) return;
    seen = now;
    for (const listener of listeners) listener();
  }, intervalMs);
  timer.unref();
  return {
    listen: (listener) => void listeners.push(listener),
    stop: () => clearInterval(timer),
  };
}
