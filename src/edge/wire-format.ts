/**
 * One installer of a family's wire format. Each family gives a small table (how an `AppError`,
 * a validation failure, a Fastify request error, an unknown path and an unexpected failure
 * look in its format); the installer does the rest the same way for all: the order of the
 * checks, `Retry-After`, logging, outages (the database down, the disk full: 503 / 507, see
 * outages.ts), and masking anything unexpected as the family's 500.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { outageKind, outageOf } from './outages.js';

/** One error answer: status, body and, for rate limits, the seconds to wait. */
export interface WireAnswer {
  status: number;
  body: unknown;
  retryAfterSeconds?: number | undefined;
}

/** One Ajv error, as Fastify hands it over in `error.validation`. */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** A family's wire format: its table of answers. */
export interface WireFormat {
  /** Content type of error answers; default Fastify's for a JSON object. */
  contentType?: string;
  /** The family's own answer-as-error (e.g. an error class that already holds its answer). */
  own?(error: unknown): WireAnswer | undefined;
  /** A core error. */
  appError(error: AppError): WireAnswer;
  /** A request that fails its route's schema (`context`: body, querystring, params, headers). */
  validation(errors: SchemaError[], context: string | undefined, error: FastifyError): WireAnswer;
  /** Fastify's (and its plugins') own request errors: bad JSON, too large, wrong content type… */
  requestError(error: FastifyError): WireAnswer | undefined;
  /** Any other client error (a SyntaxError, or a 4xx status the error carries). */
  badRequest(status: number, message: string): WireAnswer;
  /** The answer for a path (or method) no route serves. */
  notFound(method: string, path: string): WireAnswer;
  /** What an unexpected failure shows (the error itself is logged, never sent). */
  internal: WireAnswer;
  /** Headers an answer adds beside its body (e.g. `WWW-Authenticate` on a 401). */
  headers?(answer: WireAnswer): Record<string, string> | undefined;
}

/**
 * The dotted field name an Ajv error is about (`deviceInfo.name`, `users.0`), the missing
 * property included; `fallback` when it is about the whole part.
 */
export function fieldOf(error: SchemaError, fallback: string): string {
  const segments = error.instancePath.split('/').filter(Boolean);
  if (error.keyword === 'required' && typeof error.params.missingProperty === 'string') segments.push(error.params.missingProperty);
  return segments.join('.') || fallback;
}

/** Sends `answer` in `format` (also for routes that answer an error themselves). */
export function sendAnswer(reply: FastifyReply, format: WireFormat, answer: WireAnswer): FastifyReply {
  if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
  for (const [name, value] of Object.entries(format.headers?.(answer) ?? {})) reply.header(name, value);
  reply.code(answer.status);
  if (format.contentType) reply.type(format.contentType);
  return reply.send(answer.body);
}

/** The answer for `error` in `format`; unexpected errors are logged on `request`. */
export function answerFor(format: WireFormat, error: FastifyError, request: FastifyRequest): WireAnswer {
  const own = format.own?.(error);
  if (own) return own;
  if (error instanceof AppError) {
    // An `internal` core error is a dependency failing (Vonage): worth a line in the log.
    if (error.code === 'internal') request.log.warn({ err: error }, 'request failed');
    return format.appError(error);
  }
  // The database down or busy, the disk full: 503 / 507 with Retry-After, not a 500.
  const outage = outageOf(error);
  if (outage) {
    request.server.outages?.note(outageKind(error)!);
    request.log.warn({ err: error }, outage.code === 'insufficient_storage' ? 'out of storage space' : 'a dependency is unavailable');
    return format.appError(outage);
  }
  if (error.validation) return format.validation(error.validation as SchemaError[], error.validationContext, error);
  const known = format.requestError(error);
  if (known) return known;
  if (error instanceof SyntaxError || (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)) {
    return format.badRequest(error.statusCode ?? 400, error.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return format.internal;
}

/**
 * Installs `format`'s error and (unless `notFound: false`) not-found handlers on `app`: an
 * encapsulated scope under the family's prefix, or the root for the default format. A scope
 * at the root prefix leaves the 404 to the root (Fastify keeps one per prefix).
 */
export function useWireFormat(app: FastifyInstance, format: WireFormat, { notFound = true }: { notFound?: boolean } = {}): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => sendAnswer(reply, format, answerFor(format, error, request)));
  if (notFound) app.setNotFoundHandler((request, reply) => sendAnswer(reply, format, format.notFound(request.method, request.url.split('?')[0]!)));
}
