/**
 * Honest answers when a dependency fails (issue 24): an error thrown by the database driver
 * or the file system that says the database is unreachable or busy becomes a 503, one that
 * says the disk (or the database) is full a 507, both with `Retry-After`, in every family's
 * wire format (the installer in wire-format.ts asks `outageOf` before masking an error as
 * 500). Each such answer is remembered, so `/readyz` says 503 while writes fail.
 */
import { type AppError, insufficientStorage, unavailable } from '../errors.js';

/** Seconds a client is told to wait: the database usually returns within seconds, space takes an operator. */
export const RETRY_AFTER_UNAVAILABLE_SECONDS = 5;
export const RETRY_AFTER_FULL_SECONDS = 30;

/** Error codes (Node's, better-sqlite3's, PostgreSQL's SQLSTATE) meaning "out of space". */
const FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL', '53100']);
/** … and "unreachable, busy or failing for now". */
const DOWN = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EIO',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_PROTOCOL',
  // PostgreSQL: out of connections, shutting down, starting up, read-only standby.
  '53300',
  '57P01',
  '57P02',
  '57P03',
  '25006',
]);
/** node-postgres's own messages for a connection lost or never made (they carry no code). */
const PG_CONNECTION =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly)/;

/** What kind of outage `error` (or what caused it) reports, if any. */
export function outageKind(error: unknown, depth = 0): 'full' | 'down' | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') {
    if (FULL.has(code)) return 'full';
    if (DOWN.has(code) || code.startsWith('SQLITE_IOERR') || code.startsWith('08')) return 'down';
  }
  if (typeof message === 'string' && PG_CONNECTION.test(message)) return 'down';
  for (const inner of [cause, ...(Array.isArray(errors) ? errors : [])]) {
    const kind = outageKind(inner, depth + 1);
    if (kind) return kind;
  }
  return undefined;
}

/** The 503 or 507 `error` should be answered with, if it reports an outage. */
export function outageOf(error: unknown): AppError | undefined {
  const kind = outageKind(error);
  if (kind === 'full') return insufficientStorage(RETRY_AFTER_FULL_SECONDS);
  if (kind === 'down') return unavailable(RETRY_AFTER_UNAVAILABLE_SECONDS);
  return undefined;
}

/** The last outage answered, for `/readyz`. One per app. */
export class OutageLog {
  private last: { kind: 'full' | 'down'; at: number } | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  note(kind: 'full' | 'down'): void {
    this.last = { kind, at: this.now() };
  }

  /** The last outage if it was within `withinMs`. */
  recent(withinMs: number): { kind: 'full' | 'down'; secondsAgo: number } | undefined {
    if (!this.last) return undefined;
    const age = this.now() - this.last.at;
    return age <= withinMs ? { kind: this.last.kind, secondsAgo: Math.floor(age / 1000) } : undefined;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Outages answered with 503/507 (edge/outages.ts); `/readyz` reads it. */
    outages?: OutageLog;
  }
}
