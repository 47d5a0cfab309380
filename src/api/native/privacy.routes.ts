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

const ExportStatus = Type.Object({
  status: Type.Literal('running'),
  startedAt: Type.String({ format: 'date-time' }),
});

const ExportFile = Type.String({
  description: 'JSON Lines (application/x-ndjson): one object a line, `type` first: export, profile, session, contact, chat, message, upload.',
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

  // An API key needs the `account` scope for the caller's whole data, reading included.
  const account = { auth: 'session', scope: 'account' } as const;
  const present = (state: { startedAt: number }) => ({ status: 'running' as const, startedAt: new Date(state.startedAt).toISOString() });

  app.post(
    '/users/me/export',
    {
      config: account,
      schema: { tags: ['users'], summary: 'Start an export of the caller’s data (a running one is the answer)', response: { 202: ExportStatus } },
    },
    async (req, reply) => reply.code(202).send(present(await core.exports.startExport(req.auth.user))),
  );

  app.get(
    '/users/me/export',
    {
      config: account,
      schema: {
        tags: ['users'],
        summary: 'The caller’s data export: 202 while it runs, then the JSON Lines file (for a day)',
        response: { 200: ExportFile, 202: ExportStatus },
      },
    },
    async (req, reply) => {
      const state = await core.exports.exportState(req.auth.user);
      if (state.status === 'running') return reply.code(202).header('retry-after', '2').send(present(state));
      return reply
        .type('application/x-ndjson')
        .header('content-length', state.fileSize)
        .header('content-disposition', 'attachment; filename="parley-export.jsonl"')
        .header('cache-control', 'no-store')
        .header('expires', new Date(state.expiresAt).toUTCString())
        .send(core.exports.read(state.blobKey) as unknown as string);
    },
  );
}
