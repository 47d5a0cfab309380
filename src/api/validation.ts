/**
 * Request validation. Query strings, path parameters and headers arrive as text, so their
 * validator coerces ("5" → 5); JSON bodies are typed already, so theirs does not: a number
 * where a string belongs is a 400, not a silent conversion. Unknown fields are ignored.
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalid } from '../errors.js';
import { deferValidator, type Validator } from './deferred-compile.js';

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

/** A strict validator for JSON that arrives outside HTTP bodies (socket frames); compiled on first use. */
export function compileStrict<T>(schema: object): Validator<T> {
  return deferValidator(() => strictAjv().compile(schema) as Validator<T>);
}

let strict: Ajv | undefined;
const strictAjv = () => (strict ??= makeAjv(false));

/** Installs the two validators on `app`, each route's compiled on first use (see deferred-compile.ts). */
export function useStrictBodies(app: FastifyInstance): void {
  let forBodies: Ajv | undefined;
  let forText: Ajv | undefined;
  app.setValidatorCompiler(({ schema, httpPart }) =>
    deferValidator(() => (httpPart === 'body' ? (forBodies ??= makeAjv(false)) : (forText ??= makeAjv('array'))).compile(schema) as Validator),
  );
}

/**
 * The path (`text`, `deviceInfo.name`, `users.0`) of the first string in `value` that holds
 * U+0000, keys included, or undefined. PostgreSQL cannot store NUL in text (the query fails,
 * a 500), so no family takes it anywhere: refused alike on every store. Iterative, as bodies
 * may nest deeply; streams (an upload body) and buffers are not walked.
 */
export function findNul(value: unknown, base = ''): string | undefined {
  const stack: Array<[unknown, string]> = [[value, base]];
  while (stack.length > 0) {
    const [item, path] = stack.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return path || 'body';
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    if (ArrayBuffer.isView(item) || typeof (item as { pipe?: unknown }).pipe === 'function') continue;
    for (const [key, child] of Object.entries(item)) {
      const childPath = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) return childPath;
      stack.push([child, childPath]);
    }
  }
  return undefined;
}

/** A root `preValidation` hook: a NUL anywhere in the body, query or path is each family's validation error. */
export function refuseNul(app: FastifyInstance): void {
  // Callback style: every request passes here, and an async hook costs a promise each time.
  app.addHook('preValidation', (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
    // The path and the query are decoded from the URL, where a NUL comes as "%00" (the HTTP
    // parser refuses a raw one; checked too, for `inject`): without it they hold none, and most
    // requests skip the walk.
    const inUrl = request.url.includes('%00') || request.url.includes('\u0000');
    const body = request.body;
    const found =
      (inUrl ? (findNul(request.params) ?? findNul(request.query)) : undefined) ?? (body === undefined || body === null ? undefined : findNul(body));
    done(found === undefined ? undefined : invalid([{ name: found, reason: 'must not contain the NUL character (U+0000)' }]));
  });
}
