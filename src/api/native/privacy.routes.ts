/**
 * Privacy: a chat's message retention (`GET`/`PUT /chats/{id}/retention`) and the caller's data
 * export (`POST`/`GET /users/me/export`). Thin: each calls one core function.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ChatParams } from './chats.schemas.js';
import type { NativeOptions } from './options.js';

const session = { auth: 'session' } as const;

const Retention = Type.Object({
  retentionDays: Type.Union([Type.Integer(), Type.Null()], { description: 'The chat’s own retention in days; null: the server’s applies.' }),
  effectiveDays: Type.Union([Type.Integer(), Type.Null()], { description: 'What applies; null: messages are kept forever.' }),
});

const RetentionBody = Type.Object({
  retentionDays: Type.Union([Type.Integer({ minimum: 1, maximum: 36_500 }), Type.Null()], {
    description: 'Days to keep messages (at most the server’s MESSAGE_RETENTION_DAYS when set); null to follow the server.',
  }),
});

/** Registers the retention and export routes. */
export async function privacyRoutes(parent: FastifyInstance, { core }: NativeOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/chats/:id/retention',
    { config: session, schema: { tags: ['chats'], summary: 'How long the chat’s messages are kept', params: ChatParams, response: { 200: Retention } } },
    async (req) => core.retention.chatRetention(req.auth.user, req.params.id),
  );

  app.put(
    '/chats/:id/retention',
    {
      config: session,
      schema: {
        tags: ['chats'],
        summary: 'Set (owner only) how long the chat’s messages are kept',
        params: ChatParams,
        body: RetentionBody,
        response: { 200: Retention },
      },
    },
    async (req) => core.retention.setChatRetention(req.auth.user, req.params.id, req.body.retentionDays),
  );
}
