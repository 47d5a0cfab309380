import { UniqueViolation } from '../../ports/store.js';

/**
 * Maps a driver's unique-constraint error to `UniqueViolation(field)`, or returns the
 * error unchanged. SQLite names the columns in its message (`UNIQUE constraint failed:
 * users.username`); PostgreSQL gives code 23505 and the index name.
 */
export function asUniqueViolation(error: unknown, fields: string[]): unknown {
  if (!(error instanceof Error)) return error;
  const e = error as Error & { code?: string; constraint?: string };
  const isUnique = e.code === '23505' || /UNIQUE constraint failed/.test(e.message);
  if (!isUnique) return error;
  const where = `${e.constraint ?? ''} ${e.message}`;
  const field = fields.find((f) => where.includes(f));
  return new UniqueViolation(field ?? 'unknown');
}
