/** OpenAPI 3.1 generated from the route schemas, at `/openapi.json`, browsable at `/docs`. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export async function registerDocs(app: FastifyInstance, publicUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Parley',
        version: '0.1.0',
        description: 'Self-hosted chat backend. Native API at the root; errors are RFC 9457 problem details.',
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
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
