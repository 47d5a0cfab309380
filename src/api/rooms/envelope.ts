/**
 * The rooms family's wire format: every answer is `{error: null | {type, message}, data}`.
 * Errors keep the seed's type names (BAD_BINDING, USER_EXISTS, BAD_PASSWORD,
 * PASSWORD_MATCH_FAILED) and add ones it lacks (UNAUTHORIZED, NOT_FOUND, RATE_LIMITED, …).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';

export const ok = <T>(data: T) => ({ error: null, data });

function send(reply: FastifyReply, status: number, type: string, message: string, retryAfter?: number) {
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return reply.code(status).send({ error: { type, message }, data: null });
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
    default:
      return [error.status, error.code.toUpperCase()];
  }
}

/** Installs the envelope's error and not-found handlers on the rooms scope. */
export function useEnvelope(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) {
      const [status, type] = typeOf(error);
      const detail = error.details.invalidParameters?.map((p) => `${p.name} ${p.reason}`).join('; ');
      return send(reply, status, type, detail ? `${error.message} (${detail})` : error.message, error.details.retryAfterSeconds);
    }
    if (error.validation || error instanceof SyntaxError || error.code?.startsWith('FST_ERR_CTP')) {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, 413, 'TOO_LARGE', 'The body is too large.');
      return send(reply, 400, 'BAD_BINDING', error.validation ? `The request is not valid: ${error.message}` : 'The body is not valid JSON.');
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return send(reply, error.statusCode, 'BAD_REQUEST', error.message);
    request.log.error({ err: error }, 'unhandled error');
    return send(reply, 500, 'INTERNAL', 'Something went wrong on our side.');
  });
  app.setNotFoundHandler((request, reply) => send(reply, 404, 'NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`));
}
