/**
 * Request validation. Query strings, path parameters and headers arrive as text, so their
 * validator coerces ("5" → 5); JSON bodies are typed already, so theirs does not: a number
 * where a string belongs is a 400, not a silent conversion. Unknown fields are ignored.
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

/**
 * The largest user, message or event id: they are `integer` columns (32-bit in PostgreSQL), so a
 * bigger one can name nothing, and sent to the database it would fail the query (a 500) rather
 * than find nothing. Schemas cap ids here, so such a request is a 400.
 */
export const MAX_RECORD_ID = 2 ** 31 - 1;

function makeAjv(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ allErrors: true, coerceTypes, removeAdditional: true, useDefaults: true, strict: false });
  addFormats.default(ajv);
  return ajv;
}

/** A strict validator for JSON that arrives outside HTTP bodies (socket frames). */
export function compileStrict<T>(schema: object): ((value: unknown) => value is T) & { errors?: unknown } {
  return strictAjv().compile(schema) as ((value: unknown) => value is T) & { errors?: unknown };
}

let strict: Ajv | undefined;
const strictAjv = () => (strict ??= makeAjv(false));

/** Installs the two validators on `app`. */
export function useStrictBodies(app: FastifyInstance): void {
  const forBodies = makeAjv(false);
  const forText = makeAjv('array');
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? forBodies : forText).compile(schema));
}
