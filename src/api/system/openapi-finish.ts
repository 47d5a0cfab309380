/**
 * The last pass over `/openapi.json`, so that what every operation needs is said once here and
 * not on each route: an `operationId` by one naming rule (unless the route's schema gives its
 * own), the error answers of its family's wire format, and, for the native family's `/api/…`
 * mirror, the operation it repeats (`x-parley-alias-of`).
 */

type Operation = { operationId?: string; summary?: string; responses?: Record<string, unknown>; [key: string]: unknown };
type OpenApi = { paths?: Record<string, Record<string, Operation>>; components?: Record<string, Record<string, unknown>>; [key: string]: unknown };

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** The native family again under `/api` (upstream's web app); `/api/v1` is the rooms family. */
const MIRROR = /^\/api(?!\/v1(\/|$))\//;

const word = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const words = (segment: string) =>
  segment
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map(word)
    .join('');

/**
 * The operationId of `method path`: the method, then each path segment in PascalCase, a
 * parameter as `By<Name>`. `GET /users/{id}` → `getUsersById`, `PUT /chats/{id}/messages/{messageId}/read`
 * → `putChatsByIdMessagesByMessageIdRead`, `POST /vapp/signup` → `postVappSignup`. Unique, because
 * paths are; stable, because only the route's method and path make it.
 */
export function operationIdOf(method: string, path: string): string {
  const segments = path.split('/').filter(Boolean);
  return method.toLowerCase() + segments.map((s) => (s.startsWith('{') ? `By${words(s)}` : words(s))).join('');
}

/** The operation `path` (of the `/api` mirror) repeats, or undefined. */
export function mirroredPath(path: string): string | undefined {
  return MIRROR.test(path) ? path.slice('/api'.length) : undefined;
}

const problem = { $ref: '#/components/schemas/Problem' };
const envelope = { $ref: '#/components/schemas/RoomsError' };

/** The error schemas the families answer with. */
const ERROR_SCHEMAS = {
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details (native family and system routes)',
    required: ['type', 'title', 'status'],
    properties: {
      type: { type: 'string', description: 'A stable URN, e.g. urn:parley:problem:validation' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      reason: { type: 'string', description: 'The detail again, under upstream’s name' },
      invalid_parameters: {
        type: 'array',
        items: { type: 'object', required: ['name', 'reason'], properties: { name: { type: 'string' }, reason: { type: 'string' } } },
      },
    },
  },
  RoomsError: {
    type: 'object',
    description: 'The rooms family’s envelope with an error: `{error: {type, message}, data: null}`',
    required: ['error', 'data'],
    properties: {
      error: { type: 'object', required: ['type', 'message'], properties: { type: { type: 'string' }, message: { type: 'string' } } },
      data: { type: 'null' },
    },
  },
};

/** The error answers of the family that serves `path`. */
function errorResponses(path: string): Record<string, unknown> {
  if (path.startsWith('/api/v1/') || path === '/api/v1') {
    const body = { content: { 'application/json': { schema: envelope } } };
    return {
      '4XX': { description: 'An error envelope (BAD_BINDING, NOT_AUTHORIZED, RESOURCE_NOT_FOUND…)', ...body },
      '5XX': { description: 'Server error', ...body },
    };
  }
  // The V-app family declares its own (a problem without `status`).
  const body = { content: { 'application/problem+json': { schema: problem } } };
  return {
    '4XX': { description: 'Problem details: bad input, no or a wrong token, not allowed, not found, rate limited', ...body },
    '5XX': { description: 'Problem details', ...body },
  };
}

const hasErrorAnswer = (responses: Record<string, unknown>) => Object.keys(responses).some((code) => /^[45]/.test(code) || code === 'default');

/** Finishes the document `@fastify/swagger` made (its `transformObject`); changes it in place and returns it. */
export function finishOpenApi<T>(document: T): T {
  const doc = document as OpenApi;
  doc.components ??= {};
  doc.components.schemas = { ...ERROR_SCHEMAS, ...doc.components.schemas };
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const original = mirroredPath(path);
    for (const method of METHODS) {
      const shared = item[method];
      if (!shared) continue;
      // A route with several methods hands each the same object: each gets its own.
      const operation: Operation = { ...shared, responses: { ...shared.responses } };
      item[method] = operation;
      operation.operationId ??= original ? `api${word(operationIdOf(method, original))}` : operationIdOf(method, path);
      if (original && doc.paths?.[original]?.[method])
        operation['x-parley-alias-of'] = doc.paths[original][method].operationId ?? operationIdOf(method, original);
      if (!hasErrorAnswer(operation.responses!)) Object.assign(operation.responses!, errorResponses(path));
    }
  }
  return document;
}
