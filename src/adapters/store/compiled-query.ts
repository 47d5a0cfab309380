/**
 * A hot query built once. Building a query with Kysely's builder costs more CPU than
 * SQLite takes to run it (41% of a `GET /users/me` profile went to the builder), so the
 * queries that every authenticated request runs are compiled on first use and then run
 * with new parameters only. The builder is still what writes the SQL, for every dialect.
 */
import type { CompiledQuery, Compilable, Kysely } from 'kysely';

/**
 * Returns a runner for the query `build` makes from sample parameters. The sample values
 * must be distinct from each other: each must appear exactly once among the compiled
 * parameters, so that its position is known and later calls can put their value there.
 */
export function compileOnce<DB, P extends readonly unknown[], R>(
  db: Kysely<DB>,
  build: (db: Kysely<DB>, ...params: P) => Compilable<R>,
  sample: P,
): (...params: P) => Promise<R[]> {
  let compiled: CompiledQuery<R> | undefined;
  let positions: number[] = [];
  return async (...params: P) => {
    if (!compiled) {
      compiled = build(db, ...sample).compile();
      const parameters = compiled.parameters;
      positions = sample.map((value) => {
        const at = parameters.indexOf(value);
        if (at < 0 || parameters.indexOf(value, at + 1) >= 0) throw new Error(`compileOnce: sample ${String(value)} must appear exactly once`);
        return at;
      });
      if (positions.length !== parameters.length) throw new Error('compileOnce: every parameter must come from the sample');
    }
    const parameters = new Array<unknown>(positions.length);
    for (const [i, at] of positions.entries()) parameters[at] = params[i];
    const result = await db.executeQuery<R>({ ...compiled, parameters });
    return result.rows;
  };
}
