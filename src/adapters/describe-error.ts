/**
 * A readable reason for a failed connection, also for the AggregateError (with an empty
 * message) that Node raises when every address of a host refuses.
 */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(describeError))].join('; ');
  }
  if (error instanceof Error) return error.message || (error as Error & { code?: string }).code || error.name;
  return String(error);
}
