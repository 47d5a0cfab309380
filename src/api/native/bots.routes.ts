/**
 * The admin bot routes (issue 22): create a bot user, issue, list and revoke its API keys.
 * Every one needs an administrator's session.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { NAME_MAX, USERNAME_PATTERN } from '../../core/account-rules.js';
import { API_KEY_SCOPES } from '../../core/bots.service.js';
import type { ApiKeyRecord } from '../../ports/store.js';
import { presentAdminUser } from './admin.routes.js';
import { AdminUser } from './admin.schemas.js';
import type { NativeOptions } from './options.js';
import { Ok } from './users.schemas.js';
import { MAX_RECORD_ID } from '../validation.js';
import { PageQuery, pageOf } from '../../edge/paging.js';

const tags = ['admin'];
const adminOnly = { auth: 'admin' } as const;

const Bot = Type.Object({ ...AdminUser.properties, isBot: Type.Literal(true) });

const ApiKey = Type.Object({
  id: Type.String(),
  scopes: Type.Array(Type.String()),
  sessionId: Type.String({ description: 'The device session the key acts in' }),
  createdAt: Type.String({ format: 'date-time' }),
});

const BotParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_RECORD_ID }) });

const presentKey = (k: ApiKeyRecord) => ({ id: k.id, scopes: k.scopes, sessionId: k.sessionId, createdAt: new Date(k.createdAt).toISOString() });

export async function botsRoutes(parent: FastifyInstance, { core }: NativeOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { bots } = core;

  app.post(
    '/admin/bots',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'Create a bot user (API keys only; it cannot log in with a password)',
        body: Type.Object({
          username: Type.String({ pattern: USERNAME_PATTERN.replace('a-z', 'A-Za-z') }),
          name: Type.String({ minLength: 1, maxLength: NAME_MAX }),
        }),
        response: { 200: Bot },
      },
    },
    async (req) => ({ ...presentAdminUser(await bots.createBot(req.body)), isBot: true as const }),
  );

  app.post(
    '/admin/bots/:id/keys',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'Issue an API key for the bot within scopes; the key is shown only in this answer',
        params: BotParams,
        body: Type.Object({
          scopes: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 32, description: `Any of ${API_KEY_SCOPES.join(', ')}` }),
        }),
        response: { 200: Type.Object({ ...ApiKey.properties, key: Type.String({ description: 'Authorization: Bearer <key>' }) }) },
      },
    },
    async (req) => {
      const { record, key } = await bots.issueKey(req.params.id, req.body.scopes);
      return { ...presentKey(record), key };
    },
  );

  app.get(
    '/admin/bots/:id/keys',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'The bot’s API keys (never the keys themselves)',
        params: BotParams,
        querystring: PageQuery(),
        response: { 200: Type.Array(ApiKey) },
      },
    },
    async (req, reply) =>
      pageOf(req, reply, await bots.listKeys(req.params.id), {
        list: 'api-keys',
        key: (k) => [k.createdAt, k.id],
        shape: ['number', 'string'],
        query: req.query,
      }).map(presentKey),
  );

  app.delete(
    '/admin/bots/:id/keys/:keyId',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'Revoke an API key: its requests fail (401) and its sockets close at once',
        params: Type.Object({ ...BotParams.properties, keyId: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Ok },
      },
    },
    async (req) => {
      await bots.revokeKey(req.params.id, req.params.keyId);
      return {};
    },
  );
}
