/** OpenAPI 3.1 generated from the route schemas, at `/openapi.json`, browsable at `/docs`. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { TOKEN_SECURITY } from '../../edge/credentials.js';
import { declareAuth, routeAuthOf } from '../../edge/route-auth.js';
import type { SocketDocs } from '../../edge/socket-docs.js';
import { asyncApiDocument } from './asyncapi.js';
import { finishOpenApi } from './openapi-finish.js';

type Schema = { type?: unknown; properties?: Record<string, { default?: unknown }>; required?: string[] };

/**
 * The query string as documented: a parameter with a default may be left out, so it is not
 * `required` there (the validator, which fills the default, keeps its schema as it is).
 */
export function documentedQuery<T extends Schema | undefined>(querystring: T): T {
  if (!querystring || !Array.isArray(querystring.required) || !querystring.properties) return querystring;
  const properties = querystring.properties;
  return { ...querystring, required: querystring.required.filter((name) => properties[name]?.default === undefined) };
}

/**
 * A route's schema as documented: its query string without defaulted parameters required, and
 * the token schemes when the route declares a token mode (`session`, `admin`, `vapp`), so the
 * declaration is the one place that says so. Sockets check their token before the upgrade and
 * document none, like routes that state their own `security` (metrics).
 */
export function documentedSchema(schema: FastifySchema | undefined, route: RouteOptions): FastifySchema | undefined {
  if (!schema) return schema;
  const auth = routeAuthOf(route);
  const socket = Boolean((route as { websocket?: boolean }).websocket);
  const takesToken = (auth === 'session' || auth === 'admin' || auth === 'vapp') && !socket;
  // A token is optional: `{}` is OpenAPI's "no credentials" alternative.
  const mayTakeToken = auth === 'session-optional' && !socket;
  return {
    ...schema,
    ...(schema.querystring ? { querystring: documentedQuery(schema.querystring as Schema) } : {}),
    ...(takesToken && !('security' in schema) ? { security: TOKEN_SECURITY } : {}),
    ...(mayTakeToken && !('security' in schema) ? { security: [{}, ...TOKEN_SECURITY] } : {}),
  };
}

/** `/openapi.json` and `/docs` for the HTTP routes, `/asyncapi.json` for the families' sockets (`sockets`), linked from `/docs`. */
export async function registerDocs(app: FastifyInstance, publicUrl: string, sockets: SocketDocs[] = []): Promise<void> {
  const asyncApi = asyncApiDocument(publicUrl, sockets);
  await app.register(swagger, {
    transform: ({ schema, url, route }) => ({ url, schema: documentedSchema(schema, route) as FastifySchema }),
    transformObject: (documentObject) => finishOpenApi('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject),
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Parley',
        version: '0.1.0',
        description:
          'Self-hosted chat backend. Native API at the root; errors are RFC 9457 problem details. The sockets (native `/ws`, rooms) are described in AsyncAPI 3 at [/asyncapi.json](/asyncapi.json).',
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          accessTokenHeader: { type: 'apiKey', in: 'header', name: 'x-access-token' },
          accessTokenQuery: { type: 'apiKey', in: 'query', name: 'token' },
          basic: { type: 'http', scheme: 'basic' },
        },
      },
    },
  });
  // The documentation is public; the UI plugin's routes cannot declare it themselves.
  await app.register(async (docs) => {
    declareAuth(docs, 'none');
    await docs.register(swaggerUi, { routePrefix: '/docs' });
    docs.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    docs.get('/asyncapi.json', { schema: { hide: true } }, async () => asyncApi);
  });
}
