/**
 * Online backup of the SQLite store with SQLite's backup API (better-sqlite3 `db.backup`),
 * safe while a server in another process writes: the file is in WAL mode, so the backup's
 * read transaction does not block the writer, and copying every page in one step gives one
 * consistent snapshot (in several small steps, each write by the server would restart it).
 */
import SqliteDatabase from 'better-sqlite3';

/** What a backup holds, for its manifest. */
export interface SqliteSnapshotFacts {
  schemaVersion: string | null;
  counts: Record<string, number>;
}

const COUNTED = ['users', 'device_sessions', 'chats', 'messages', 'media'] as const;

/** Copies the database at `source` (which must exist) into the new file `destination`. */
export async function backupSqliteFile(source: string, destination: string): Promise<void> {
  const db = new SqliteDatabase(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(destination, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  // One self-contained file (no -wal/-shm beside it); the server turns WAL on again when it opens it.
  const copy = new SqliteDatabase(destination, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/** The last migration applied to the database at `file`, and how many rows its main tables hold. */
export function describeSqliteFile(file: string): SqliteSnapshotFacts {
  const db = new SqliteDatabase(file, { fileMustExist: true, readonly: true });
  try {
    const row = db.prepare('select name from kysely_migration order by name desc limit 1').get() as { name: string } | undefined;
    const counts: Record<string, number> = {};
    for (const table of COUNTED) counts[table] = (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    return { schemaVersion: row?.name ?? null, counts };
  } finally {
    db.close();
  }
}
