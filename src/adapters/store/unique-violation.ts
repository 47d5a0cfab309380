import { UniqueViolation } from '../../ports/store.js';

/**
 * The columns a unique-constraint error names. SQLite lists them in its message (`UNIQUE
 * constraint failed: users.email_key`); PostgreSQL (code 23505) lists them in `detail`
 * (`Key (user_id, device_id)=(1, phone) already exists.`). Only the column list is read,
 * never the values, so a username such as "email" cannot mislead the mapping.
 */
function violatedColumns(error: Error & { code?: string; constraint?: string; detail?: string }): string | undefined {
  if (error.code === '23505') {
    const listed = /^Key \(([^)]*)\)=/.exec(error.detail ?? '')?.[1];
    return listed ?? error.constraint ?? '';
  }
  const match = /UNIQUE constraint failed: (.*)$/.exec(error.message);
  return match ? match[1] : undefined;
}

/**
 * Maps a driver's unique-constraint error to `UniqueViolation(field)`, where `field` is the
 * first of `fields` that a violated column's name contains (`email` for `email_key`), or
 * `unknown`; any other error is returned unchanged.
 */
export function asUniqueViolation(error: unknown, fields: string[]): unknown {
  if (!(error instanceof Error)) return error;
  const columns = violatedColumns(error);
  if (columns === undefined) return error;
  const field = fields.find((f) => columns.includes(f));
  return new UniqueViolation(field ?? 'unknown');
}
