/** The native CHATS API, message routes (SPEC 2 "Chats" 2, 20–24). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../core/index.js';
import { presentMessage } from './chats.presenters.js';
import { historyPage } from './message-pages.js';
import * as S from './chats.schemas.js';
import { Ok } from './users.schemas.js';

const tags = ['messages'];

const session = { auth: 'session' } as const;

export async function messagesRoutes(parent: FastifyInstance, { core, publicUrl }: { core: Core; publicUrl: string }) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const message = (view: Parameters<typeof presentMessage>[0], viewerId: number) => presentMessage(view, publicUrl, viewerId);
  const one = { 200: S.MessageInfo };

  app.post(
    '/chats/:id/messages',
    { config: session, schema: { tags, summary: 'Send a message (idempotent by localId)', params: S.ChatParams, body: S.SendBody, response: one } },
    async (req) => message(await core.messages.sendMessage(req.auth.user, req.params.id, req.body), req.auth.user.id),
  );

  app.get(
    '/chats/:id/messages',
    {
      config: session,
      schema: { tags, summary: 'History, newest first', params: S.ChatParams, querystring: S.MessagesQuery, response: { 200: Type.Array(S.MessageInfo) } },
    },
    async (req, reply) => (await historyPage(core, req, reply, req.auth.user, req.params.id, req.query)).map((view) => message(view, req.auth.user.id)),
  );

  app.delete(
    '/chats/:id/messages/:messageId',
    { config: session, schema: { tags, summary: 'Delete a message’s content (author only)', params: S.MessageParams, response: one } },
    async (req) => message(await core.messages.deleteMessage(req.auth.user, req.params.id, req.params.messageId), req.auth.user.id),
  );

  app.put(
    '/chats/:id/messages/:messageId',
    { config: session, schema: { tags, summary: 'Edit a message (author only)', params: S.MessageParams, body: S.EditBody, response: one } },
    async (req) => message(await core.messages.editMessage(req.auth.user, req.params.id, req.params.messageId, req.body), req.auth.user.id),
  );

  app.put(
    '/chats/:id/messages/:messageId/read',
    { config: session, schema: { tags, summary: 'Mark this and every earlier message read', params: S.MessageParams, response: one } },
    async (req) => message(await core.messages.readMessage(req.auth.user, req.params.id, req.params.messageId), req.auth.user.id),
  );

  app.put(
    '/chats/:id/messages/:messageId/delivered',
    { config: session, schema: { tags, summary: 'A device of the caller received the message', params: S.MessageParams, response: one } },
    async (req) => message(await core.messages.deliverMessage(req.auth.user, req.params.id, req.params.messageId), req.auth.user.id),
  );

  app.post(
    '/chats/:id/notify',
    {
      config: session,
      schema: {
        tags,
        summary: 'Send an auxiliary event (typing…) to the other members; never stored',
        params: S.ChatParams,
        body: S.NotifyBody,
        response: { 200: Ok },
      },
    },
    async (req) => (await core.messages.notify(req.auth.user, req.params.id, req.body), {}),
  );
}
