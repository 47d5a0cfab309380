/** The native CHATS API, what hangs off messages (issue 19): reactions, edit history, threads, mentions, pins. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../core/index.js';
import { presentChat, presentMessage } from './chats.presenters.js';
import * as S from './chats.schemas.js';
import { mentionsPage, threadPage } from './message-pages.js';
import { iso } from './users.presenters.js';

const tags = ['messages'];
const session = { auth: 'session' } as const;

export async function messageExtrasRoutes(parent: FastifyInstance, { core, publicUrl }: { core: Core; publicUrl: string }) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const one = { 200: S.MessageInfo };
  const many = { 200: Type.Array(S.MessageInfo) };

  app.put(
    '/chats/:id/messages/:messageId/reactions/:emoji',
    { config: session, schema: { tags, summary: 'Add the caller’s reaction (idempotent)', params: S.ReactionParams, response: one } },
    async (req) =>
      presentMessage(await core.reactions.addReaction(req.auth.user, req.params.id, req.params.messageId, req.params.emoji), publicUrl, req.auth.user.id),
  );

  app.delete(
    '/chats/:id/messages/:messageId/reactions/:emoji',
    { config: session, schema: { tags, summary: 'Remove the caller’s reaction (idempotent)', params: S.ReactionParams, response: one } },
    async (req) =>
      presentMessage(await core.reactions.removeReaction(req.auth.user, req.params.id, req.params.messageId, req.params.emoji), publicUrl, req.auth.user.id),
  );

  app.get(
    '/chats/:id/messages/:messageId/history',
    {
      config: session,
      schema: { tags, summary: 'The texts before each edit, newest first', params: S.MessageParams, response: { 200: Type.Array(S.EditEntry) } },
    },
    async (req) =>
      (await core.messages.editHistory(req.auth.user, req.params.id, req.params.messageId)).map((e) => ({ text: e.text, editedAt: iso(e.editedAt) })),
  );

  app.get(
    '/chats/:id/messages/:messageId/thread',
    {
      config: session,
      schema: { tags, summary: 'The replies in a message’s thread, newest first', params: S.MessageParams, querystring: S.HistoryQuery, response: many },
    },
    async (req, reply) =>
      (await threadPage(core, req, reply, req.auth.user, req.params.id, req.params.messageId, req.query)).map((view) =>
        presentMessage(view, publicUrl, req.auth.user.id),
      ),
  );

  app.get(
    '/users/me/mentions',
    {
      config: session,
      schema: { tags, summary: 'Messages of the caller’s chats that mention them, newest first', querystring: S.HistoryQuery, response: many },
    },
    async (req, reply) => (await mentionsPage(core, req, reply, req.auth.user, req.query)).map((view) => presentMessage(view, publicUrl, req.auth.user.id)),
  );

  app.get(
    '/chats/:id/pins',
    { config: session, schema: { tags, summary: 'Pinned messages, oldest pin first', params: S.ChatParams, response: many } },
    async (req) => (await core.pins.listPins(req.auth.user, req.params.id)).map((view) => presentMessage(view, publicUrl, req.auth.user.id)),
  );

  app.put(
    '/chats/:id/pins/:messageId',
    { config: session, schema: { tags, summary: 'Pin a message (members; the owner in groups)', params: S.MessageParams, response: { 200: S.ChatInfo } } },
    async (req) => presentChat(await core.pins.pin(req.auth.user, req.params.id, req.params.messageId), publicUrl),
  );

  app.delete(
    '/chats/:id/pins/:messageId',
    { config: session, schema: { tags, summary: 'Unpin a message', params: S.MessageParams, response: { 200: S.ChatInfo } } },
    async (req) => presentChat(await core.pins.unpin(req.auth.user, req.params.id, req.params.messageId), publicUrl),
  );
}
