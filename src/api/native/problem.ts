/**
 * The native family's wire format: RFC 9457 problem details. Its table for the edge's
 * installer (src/edge/wire-format.ts): `AppError`s, schema failures, Fastify's own request
 * errors (malformed JSON, body too large, wrong content type), unknown paths, and the plain
 * 500 anything unexpected is masked as. Also the default format, for the routes outside any
 * family (system, docs, web app).
 */
import type { FastifyReply } from 'fastify';
import type { ErrorCode, InvalidParameter } from '../../errors.js';
import { fieldOf, sendAnswer, type SchemaError, type WireAnswer, type WireFormat } from '../../edge/wire-format.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  invalid_parameters?: InvalidParameter[];
}

/** Builds a problem document; `code` becomes the stable `type` URN. */
export function problem(status: number, code: string, detail: string, invalidParameters?: InvalidParameter[]): Problem {
  return {
    type: `urn:parley:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(invalidParameters ? { invalid_parameters: invalidParameters } : {}),
  };
}

const answer = (body: Problem, retryAfterSeconds?: number): WireAnswer => ({ status: body.status, body, retryAfterSeconds });

/** Sends a problem a route answers itself (a 416 for a range past the file's end). */
export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return sendAnswer(reply, problemDetails, answer(body));
}

/**
 * Turns Ajv errors into one `{name, reason}` per field, with dotted paths. A union of
 * constants (an enum) yields one error per branch; those become "must be one of …".
 */
export function invalidParametersOf(errors: SchemaError[], context: string | undefined): InvalidParameter[] {
  const byName = new Map<string, SchemaError[]>();
  for (const e of errors) {
    const name = fieldOf(e, context ?? 'body');
    byName.set(name, [...(byName.get(name) ?? []), e]);
  }
  return [...byName].map(([name, list]) => {
    const allowed = list.filter((e) => e.keyword === 'const').map((e) => JSON.stringify(e.params.allowedValue));
    const first = list.find((e) => e.keyword !== 'anyOf' && e.keyword !== 'const') ?? list[0]!;
    const reason =
      allowed.length > 0 ? `must be one of ${allowed.join(', ')}` : first.keyword === 'required' ? 'is required' : (first.message ?? 'is not valid');
    return { name, reason };
  });
}

const FASTIFY_CODES: Record<string, { status: number; code: ErrorCode | string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_body', detail: 'The body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'malformed_body', detail: 'The body is empty.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'too_large', detail: 'The body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', detail: 'This content type is not accepted here.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'malformed_body', detail: 'Content-Length does not match the body.' },
};

/** Codes whose problem type is spelt otherwise (as the issue that added them names it). */
const TYPE_NAMES: Partial<Record<ErrorCode, string>> = { two_factor_required: 'two-factor-required' };

/** The native format's table. */
export const problemDetails: WireFormat = {
  contentType: 'application/problem+json',
  appError: (error) =>
    answer(problem(error.status, TYPE_NAMES[error.code] ?? error.code, error.message, error.details.invalidParameters), error.details.retryAfterSeconds),
  validation: (errors, context) => answer(problem(400, 'validation', 'The request is not valid.', invalidParametersOf(errors, context))),
  requestError: (error) => {
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    return known && answer(problem(known.status, known.code, known.detail));
  },
  badRequest: (status, message) => answer(problem(status, 'bad_request', message)),
  notFound: (method, path) => answer(problem(404, 'not_found', `No route for ${method} ${path}.`)),
  internal: answer(problem(500, 'internal', 'Something went wrong on our side.')),
  // A 401 says which scheme would do.
  headers: (a) => (a.status === 401 ? { 'www-authenticate': 'Bearer' } : undefined),
};
