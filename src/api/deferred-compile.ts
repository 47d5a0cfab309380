/**
 * Schema compilation on first use. Compiling every route's validators (Ajv) and response
 * serialisers (fast-json-stringify) when the app is built took about a third of a cold
 * start: some 110 routes, 300 schemas. Each compiled function is now a stand-in that
 * compiles the real one the first time it is called, and `compileDeferred()` compiles all
 * that are still waiting, a few per turn of the event loop, once the server listens: a
 * route's first request rarely pays for it, and a schema that cannot compile shows soon after
 * start (`compileDeferred` rejects; the app logs it as an error) rather than at some later
 * first request, which would answer 500.
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { ErrorObject } from 'ajv';

/** Compilations not done yet, shared by every app in the process (some schemas are module-level). */
const pending = new Set<() => void>();

/** How many compilations `compileDeferred` does per macrotask (each ~1–5 ms). */
const PER_TURN = 4;

/**
 * `compile()` deferred: the returned getter compiles once, on its first call or when
 * `compileDeferred` reaches it, and then returns the same function.
 */
function deferred<F>(compile: () => F): () => F {
  let compiled: F | undefined;
  const get = (): F => {
    if (compiled === undefined) {
      pending.delete(get);
      compiled = compile();
    }
    return compiled;
  };
  pending.add(get);
  return get;
}

/** An Ajv validator as Fastify calls it: data, Ajv's data context, and `errors` read after a `false`. */
export interface Validator<T = unknown> {
  (data: unknown, context?: object): data is T;
  errors?: ErrorObject[] | null;
  /** Set on Ajv's own functions; Fastify then passes the parent so that coercion can replace a root value. */
  schemaEnv?: unknown;
}

/** An Ajv validator compiled on first use, with the same call signature and `errors`. */
export function deferValidator<T>(compile: () => Validator<T>): Validator<T> {
  const real = deferred(compile);
  const validate: Validator<T> = (data: unknown, context?: object): data is T => {
    const fn = real();
    const valid = context === undefined ? fn(data) : fn(data, context);
    validate.errors = fn.errors;
    return valid;
  };
  // Every validator here comes from Ajv, which takes the parent: let Fastify pass it.
  validate.schemaEnv = true;
  return validate;
}

type SerializerFactory = ReturnType<typeof SerializerSelector>;

/**
 * Fastify's default serialiser factory (fast-json-stringify, with the app's shared schemas),
 * each route's serialiser compiled on first use. For `schemaController.compilersFactory`.
 */
export function deferredSerializerFactory(): SerializerFactory {
  const factory = SerializerSelector();
  return (externalSchemas, options) => {
    const compileFor = factory(externalSchemas, options);
    return (route) => {
      const real = deferred(() => compileFor(route) as (data: unknown) => string);
      return (data: unknown) => real()(data);
    };
  };
}

/** Compiles every deferred schema, yielding to the event loop between small batches. */
export async function compileDeferred(): Promise<void> {
  while (pending.size > 0) {
    let done = 0;
    for (const compile of pending) {
      compile();
      if (++done >= PER_TURN) break;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** How many compilations are still waiting (for tests). */
export const deferredCount = (): number => pending.size;
