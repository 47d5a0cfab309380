/**
 * The rooms family's wire format: every answer is `{error: null | {type, message}, data}`.
 * Errors keep the seed's type names (BAD_BINDING, USER_EXISTS, BAD_PASSWORD,
 * PASSWORD_MATCH_FAILED) and add ones it lacks (UNAUTHORIZED, NOT_FOUND, RATE_LIMITED, …).
 */
import type { AppError } from '../../errors.js';
import type { WireAnswer, WireFormat } from '../../edge/wire-format.js';

export const ok = <T>(data: T) => ({ error: null, data });

/** An answer with one of the original server's own error types (BAD_ID, RESOURCE_NOT_FOUND, NOT_AUTHORIZED…), sent as is. */
export class RoomsHttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'RoomsHttpError';
  }
}

function typeOf(error: AppError): [number, string] {
  switch (error.code) {
    case 'validation':
      // A password that breaks the rules is the seed's BAD_PASSWORD; anything else is a bad binding.
      return error.details.invalidParameters?.some((p) => p.name === 'password' || p.name === 'secret') ? [400, 'BAD_PASSWORD'] : [400, 'BAD_BINDING'];
    case 'conflict':
      return [409, 'USER_EXISTS'];
    case 'bad_credentials':
      return [401, 'PASSWORD_MATCH_FAILED'];
    case 'unauthenticated':
      return [401, 'UNAUTHORIZED'];
    case 'forbidden':
      return [403, 'FORBIDDEN'];
    case 'not_found':
      return [404, 'NOT_FOUND'];
    case 'rate_limited':
      return [429, 'RATE_LIMITED'];
    case 'unavailable':
      return [503, 'SERVICE_UNAVAILABLE'];
    case 'insufficient_storage':
      return [507, 'INSUFFICIENT_STORAGE'];
    default:
      return [error.status, error.code.toUpperCase()];
  }
}

const answer = (status: number, type: string, message: string, retryAfterSeconds?: number): WireAnswer => ({
  status,
  body: { error: { type, message }, data: null },
  retryAfterSeconds,
});

/** The envelope's table for the edge's installer (src/edge/wire-format.ts). */
export const envelope: WireFormat = {
  own: (error) => (error instanceof RoomsHttpError ? answer(error.status, error.type, error.message) : undefined),
  appError: (error) => {
    const [status, type] = typeOf(error);
    const detail = error.details.invalidParameters?.map((p) => `${p.name} ${p.reason}`).join('; ');
    return answer(status, type, detail ? `${error.message} (${detail})` : error.message, error.details.retryAfterSeconds);
  },
  validation: (_errors, _context, error) => answer(400, 'BAD_BINDING', `The request is not valid: ${error.message}`),
  // Every body the parser refuses is a bad binding, except one too large.
  requestError: (error) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return answer(413, 'TOO_LARGE', 'The body is too large.');
    if (error instanceof SyntaxError || error.code?.startsWith('FST_ERR_CTP')) return answer(400, 'BAD_BINDING', 'The body is not valid JSON.');
    return undefined;
  },
  badRequest: (status, message) => answer(status, 'BAD_REQUEST', message),
  notFound: (method, path) => answer(404, 'NOT_FOUND', `No route for ${method} ${path}.`),
  internal: answer(500, 'INTERNAL', 'Something went wrong on our side.'),
};
