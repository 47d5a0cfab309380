/**
 * The V-app family's error format, as seed 000 shows it: `{type, title, detail,
 * invalid_parameters?}` with the seed's status codes (validation 403, taken name 409, bad
 * credentials 403, token problems 400, Vonage failures 500). What the seed does not cover
 * follows the same shape with a type of our own (see README, V-app API):
 * `system:ratelimit` 429, `data:toolarge` 413, `data:malformed` 400,
 * `data:unsupportedmediatype` 415, `system:notfound` 404.
 */
import type { AppError, InvalidParameter } from '../../errors.js';
import { fieldOf, type SchemaError, type WireAnswer, type WireFormat } from '../../edge/wire-format.js';

export interface VappProblem {
  type: string;
  title: string;
  detail: string;
  invalid_parameters?: InvalidParameter[];
}

/** An answer this family sends as is. */
export class VappHttpError extends Error {
  constructor(
    readonly status: number,
    readonly problem: VappProblem,
    readonly retryAfterSeconds?: number,
  ) {
    super(problem.detail);
    this.name = 'VappHttpError';
  }
}

const VALIDATION_DETAIL = 'The request failed due to validation errors';

export const validationError = (params: InvalidParameter[], status = 403) =>
  new VappHttpError(status, { type: 'data:validation', title: 'Bad Request', detail: VALIDATION_DETAIL, invalid_parameters: params });

export const unauthorized = () =>
  new VappHttpError(403, { type: 'auth:unauthorized', title: 'Bad Request', detail: 'The request failed due to invalid credentials' });

/** The seed's three token problems, all 400. */
export const tokenError = (kind: 'missingtoken' | 'missinguserid' | 'badtoken') =>
  new VappHttpError(400, {
    type: `auth:${kind}`,
    title: 'Bad Request',
    detail: kind === 'missingtoken' ? 'The request failed due to a missing token' : 'The request failed due to an incorrect token',
  });

export const systemError = (detail: string) => new VappHttpError(500, { type: 'system:error', title: 'System Failure', detail });

const simple = (status: number, type: string, title: string, detail: string) => new VappHttpError(status, { type, title, detail });

/** A conflict's field as the V-app calls it (the core's `username` is the V-app's `name`). */
const conflictField = (field: string | undefined) => (field === undefined || field === 'username' ? 'name' : field);

/** Maps a core error to this family's answer. */
export function fromAppError(error: AppError): VappHttpError {
  switch (error.code) {
    case 'validation':
      // The V-app service reports its fields by their V-app names.
      return validationError(error.details.invalidParameters ?? []);
    case 'conflict':
      return validationError([{ name: conflictField(error.details.field), reason: 'must be unique' }], 409);
    case 'bad_credentials':
    case 'forbidden':
      return unauthorized();
    case 'two_factor_required':
      return simple(401, 'auth:twofactorrequired', 'Unauthorized', error.message);
    case 'unauthenticated':
      return tokenError('badtoken');
    case 'not_found':
      return simple(404, 'system:notfound', 'Not Found', error.message);
    case 'too_large':
      return simple(413, 'data:toolarge', 'Content Too Large', error.message);
    case 'unsupported_media_type':
      return simple(415, 'data:unsupportedmediatype', 'Unsupported Media Type', error.message);
    case 'unprocessable':
      return validationError([{ name: 'body', reason: error.message }]);
    case 'rate_limited':
      return new VappHttpError(429, { type: 'system:ratelimit', title: 'Too Many Requests', detail: error.message }, error.details.retryAfterSeconds);
    case 'internal':
      return systemError(error.message);
  }
}

/** Schema errors as `{name, reason}`, one per field; a missing field "must exist", as in the seed. */
function invalidParametersOf(errors: SchemaError[]): InvalidParameter[] {
  const byName = new Map<string, string>();
  for (const e of errors) {
    const name = fieldOf(e, 'body');
    if (!byName.has(name)) byName.set(name, e.keyword === 'required' ? 'must exist' : (e.message ?? 'is not valid'));
  }
  return [...byName].map(([name, reason]) => ({ name, reason }));
}

/** Fastify's own request errors (and @fastify/multipart's), by code. */
const FASTIFY_CODES: Record<string, () => VappHttpError> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => simple(400, 'data:malformed', 'Bad Request', 'The body is not valid JSON.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => simple(400, 'data:malformed', 'Bad Request', 'The body is empty.'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => simple(400, 'data:malformed', 'Bad Request', 'Content-Length does not match the body.'),
  FST_ERR_CTP_BODY_TOO_LARGE: () => simple(413, 'data:toolarge', 'Content Too Large', 'The body is too large.'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => simple(415, 'data:unsupportedmediatype', 'Unsupported Media Type', 'This content type is not accepted here.'),
  FST_PARTS_LIMIT: () => simple(413, 'data:toolarge', 'Content Too Large', 'The form has too many parts.'),
  FST_FILES_LIMIT: () => simple(413, 'data:toolarge', 'Content Too Large', 'The form has more than one file.'),
  FST_FIELDS_LIMIT: () => simple(413, 'data:toolarge', 'Content Too Large', 'The form has too many fields.'),
  FST_REQ_FILE_TOO_LARGE: () => simple(413, 'data:toolarge', 'Content Too Large', 'The file is too large.'),
};

const answer = (error: VappHttpError): WireAnswer => ({ status: error.status, body: error.problem, retryAfterSeconds: error.retryAfterSeconds });

/** The V-app format's table for the edge's installer (src/edge/wire-format.ts). */
export const vappFormat: WireFormat = {
  contentType: 'application/json; charset=utf-8',
  own: (error) => (error instanceof VappHttpError ? answer(error) : undefined),
  appError: (error) => answer(fromAppError(error)),
  validation: (errors) => answer(validationError(invalidParametersOf(errors))),
  requestError: (error) => {
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    return known && answer(known());
  },
  // Every other client error is the seed's malformed request, a 400.
  badRequest: (_status, message) => answer(simple(400, 'data:malformed', 'Bad Request', message)),
  notFound: (method, path) => answer(simple(404, 'system:notfound', 'Not Found', `No route for ${method} ${path}.`)),
  internal: answer(systemError('Something went wrong on our side.')),
};
