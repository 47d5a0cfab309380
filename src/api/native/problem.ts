/**
 * The native family's error format: RFC 9457 problem details. Maps `AppError`s, Fastify's
 * own request errors (validation, malformed JSON, body too large, wrong content type) and
 * anything else, which is logged and masked as a plain 500.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode, type InvalidParameter } from '../../errors.js';

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

export function sendProblem(reply: FastifyReply, body: Problem, retryAfterSeconds?: number): FastifyReply {
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  if (body.status === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(body.status).type('application/problem+json').send(body);
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * Turns Ajv errors into one `{name, reason}` per field, with dotted paths. A union of
 * constants (an enum) yields one error per branch; those become "must be one of …".
 */
export function invalidParametersOf(errors: AjvError[], context: string | undefined): InvalidParameter[] {
  const byName = new Map<string, AjvError[]>();
  for (const e of errors) {
    const segments = e.instancePath.split('/').filter(Boolean);
    if (e.keyword === 'required' && typeof e.params.missingProperty === 'string') segments.push(e.params.missingProperty);
    const name = segments.join('.') || (context ?? 'body');
    byName.set(name, [...(byName.get(name) ?? []), e]);
  }
  return [...byName].map(([name, list]) => {
    const allowed = list.filter((e) => e.keyword === 'const').map((e) => JSON.stringify(e.params.allowedValue));
    const first = list.find((e) => e.keyword !== 'anyOf' && e.keyword !== 'const') ?? list[0]!;
    const reason = allowed.length > 0 ? `must be one of ${allowed.join(', ')}` : first.keyword === 'required' ? 'is required' : (first.message ?? 'is not valid');
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

/** Installs the problem-details error and not-found handlers on `app` (an encapsulated scope). */
export function useProblemDetails(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) {
      return sendProblem(reply, problem(error.status, error.code, error.message, error.details.invalidParameters), error.details.retryAfterSeconds);
    }
    if (error.validation) {
      const params = invalidParametersOf(error.validation as AjvError[], error.validationContext);
      return sendProblem(reply, problem(400, 'validation', 'The request is not valid.', params));
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return sendProblem(reply, problem(known.status, known.code, known.detail));
    if (error instanceof SyntaxError || (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)) {
      const status = error.statusCode ?? 400;
      return sendProblem(reply, problem(status, 'bad_request', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, problem(500, 'internal', 'Something went wrong on our side.'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}.`)),
  );
}
