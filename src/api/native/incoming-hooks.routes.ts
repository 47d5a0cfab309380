/**
 * Incoming webhooks (issue 22): admins make, list and remove a chat's hooks; `POST
 * /hooks/<token> {text}` (public: the secret URL is the credential) posts into the chat as the
 * hook's named integration.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { NAME_MAX } from '../../core/account-rules.js';
import type { IncomingHookRecord } from '../../ports/store.js';
import type { NativeOptions } from './options.js';
import { Ok } from './users.schemas.js';
import { PageQuery, pageOf } from '../../edge/paging.js';

const tags = ['admin'];
const adminOnly = { auth: 'admin' } as const;

const Hook = Type.Object({
  id: Type.String(),
  chatId: Type.String(),
  name: Type.String(),
  botId: Type.Integer({ description: 'The bot user the hook posts as' }),
  createdAt: Type.String({ format: 'date-time' }),
});

const ChatParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

const present = (h: IncomingHookRecord) => ({ id: h.id, chatId: h.chatId, name: h.name, botId: h.botId, createdAt: new Date(h.createdAt).toISOString() });

export async function incomingHooksRoutes(parent: FastifyInstance, { core, publicUrl }: NativeOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const hooks = core.incomingHooks;

  app.post(
    '/admin/chats/:id/hooks',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'Make an incoming webhook for the chat: a secret URL that posts into it as the named integration (shown only here)',
        params: ChatParams,
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: NAME_MAX }) }),
        response: { 200: Type.Object({ ...Hook.properties, url: Type.String() }) },
      },
    },
    async (req) => {
      const { hook, token } = await hooks.create(req.params.id, req.body.name.trim() || req.body.name);
      return { ...present(hook), url: `${publicUrl}/hooks/${token}` };
    },
  );

  app.get(
    '/admin/chats/:id/hooks',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'The chat’s incoming webhooks (never their URLs)',
        params: ChatParams,
        querystring: PageQuery(),
        response: { 200: Type.Array(Hook) },
      },
    },
    async (req, reply) =>
      pageOf(req, reply, await hooks.list(req.params.id), {
        list: 'hooks',
        key: (h) => [h.createdAt, h.id],
        shape: ['number', 'string'],
        query: req.query,
      }).map(present),
  );

  app.delete(
    '/admin/chats/:id/hooks/:hookId',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'Remove an incoming webhook: its URL stops working',
        params: Type.Object({ ...ChatParams.properties, hookId: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Ok },
      },
    },
    async (req) => {
      await hooks.delete(req.params.id, req.params.hookId);
      return {};
    },
  );

  app.post(
    '/hooks/:token',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['hooks'],
        summary: 'Post {text} into the hook’s chat as its integration (the URL is the credential)',
        params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 128 }) }),
        body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 8192 }) }),
        response: { 200: Type.Object({ id: Type.String({ format: 'uuid' }), seq: Type.Integer(), chatId: Type.String() }) },
      },
    },
    async (req) => {
      const view = await hooks.post(req.params.token, req.body.text);
      // The message's public id, as MessageInfo shows it (a UUID).
      return { id: view.message.uuid, seq: view.message.seq, chatId: view.message.chatId };
    },
  );
}
