/** The native CHATS API, chat-level routes (SPEC 2 "Chats" 1, 3–19). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../core/index.js';
import { presentChat, presentMember } from './chats.presenters.js';
import * as S from './chats.schemas.js';
import { Ok, UserInfo } from './users.schemas.js';
import { pageOf } from '../../edge/paging.js';

const tags = ['chats'];

const session = { auth: 'session' } as const;

export async function chatsRoutes(parent: FastifyInstance, { core, publicUrl }: { core: Core; publicUrl: string }) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const chat = (view: Parameters<typeof presentChat>[0]) => presentChat(view, publicUrl);
  const ok = {};
  const one = { 200: S.ChatInfo };

  app.post(
    '/chats',
    {
      config: session,
      schema: { tags, summary: 'Create a personal or group chat (a known personal pair returns its chat)', body: S.CreateChatBody, response: one },
    },
    async (req) => chat(await core.chats.createChat(req.auth.user, req.body)),
  );

  app.get(
    '/chats',
    {
      config: session,
      schema: { tags, summary: 'The caller’s chats, newest activity first', querystring: S.ListChatsQuery, response: { 200: Type.Array(S.ChatInfo) } },
    },
    async (req, reply) =>
      pageOf(req, reply, await core.chats.listChats(req.auth.user, req.query.full === '1' || req.query.full === 'true'), {
        list: 'chats',
        key: (v) => [-v.chat.lastActivityAt, v.chat.id],
        shape: ['number', 'string'],
        query: req.query,
      }).map(chat),
  );

  app.get('/chats/:id', { config: session, schema: { tags, summary: 'A chat with all its members', params: S.ChatParams, response: one } }, async (req) =>
    chat(await core.chats.getChat(req.auth.user, req.params.id)),
  );

  app.put(
    '/chats/:id',
    { config: session, schema: { tags, summary: 'Change the title (not for personal chats)', params: S.ChatParams, body: S.TitleBody, response: one } },
    async (req) => chat(await core.chats.updateTitle(req.auth.user, req.params.id, req.body.title)),
  );

  app.put(
    '/chats/:id/settings',
    {
      config: session,
      schema: { tags, summary: 'The caller’s mute, archive and removed-on-device flags', params: S.ChatParams, body: S.SettingsBody, response: one },
    },
    async (req) => chat(await core.chats.updateSettings(req.auth.user, req.params.id, req.body)),
  );

  app.post(
    '/chats/:id/images',
    { config: session, schema: { tags, summary: 'Add an image (an upload of yours) to a group chat', params: S.ChatParams, body: S.ImageBody, response: one } },
    async (req) => chat(await core.chats.addImage(req.auth.user, req.params.id, req.body.image.id)),
  );

  app.delete(
    '/chats/:id/images/:imageId',
    { config: session, schema: { tags, summary: 'Remove a chat image and its files (uploader or owner)', params: S.ChatImageParams, response: { 200: Ok } } },
    async (req) => (await core.chats.removeImage(req.auth.user, req.params.id, req.params.imageId), ok),
  );

  app.post(
    '/chats/:id/users',
    { config: session, schema: { tags, summary: 'Add up to 10 users', params: S.ChatParams, body: S.UsersBody, response: one } },
    async (req) => chat(await core.chats.addUsers(req.auth.user, req.params.id, req.body.users)),
  );

  app.delete(
    '/chats/:id/users',
    { config: session, schema: { tags, summary: 'Remove users (owner only)', params: S.ChatParams, body: S.UsersBody, response: one } },
    async (req) => chat(await core.chats.removeUsers(req.auth.user, req.params.id, req.body.users)),
  );

  app.delete(
    '/chats/:id',
    { config: session, schema: { tags, summary: 'Delete the chat with its messages (owner only)', params: S.ChatParams, response: { 200: Ok } } },
    async (req) => (await core.chats.deleteChat(req.auth.user, req.params.id), ok),
  );

  app.delete(
    '/chats/:id/me',
    { config: session, schema: { tags, summary: 'Leave a group chat', params: S.ChatParams, response: { 200: Ok } } },
    async (req) => (await core.chats.leaveChat(req.auth.user, req.params.id), ok),
  );

  app.delete(
    '/chats/:id/messages',
    { config: session, schema: { tags, summary: 'Clear the history for everyone', params: S.ChatParams, response: { 200: Ok } } },
    async (req) => (await core.chats.clearChat(req.auth.user, req.params.id), ok),
  );

  app.put(
    '/chats/:id/block',
    { config: session, schema: { tags, summary: 'Block the chat (leave a group and refuse re-adding)', params: S.ChatParams, response: { 200: Ok } } },
    async (req) => (await core.chats.blockChat(req.auth.user, req.params.id), ok),
  );

  app.put(
    '/chats/:id/unblock',
    { config: session, schema: { tags, summary: 'Undo a chat block', params: S.ChatParams, response: { 200: Ok } } },
    async (req) => (await core.chats.unblockChat(req.auth.user, req.params.id), ok),
  );

  app.put(
    '/chats/:id/users/:userId/block',
    { config: session, schema: { tags, summary: 'Stop a member from posting (owner only)', params: S.ChatUserParams, response: { 200: Ok } } },
    async (req) => (await core.chats.setUserBlocked(req.auth.user, req.params.id, req.params.userId, true), ok),
  );

  app.put(
    '/chats/:id/users/:userId/unblock',
    { config: session, schema: { tags, summary: 'Let a member post again (owner only)', params: S.ChatUserParams, response: { 200: Ok } } },
    async (req) => (await core.chats.setUserBlocked(req.auth.user, req.params.id, req.params.userId, false), ok),
  );

  app.get(
    '/chats/:id/users/blocked',
    { config: session, schema: { tags, summary: 'Members blocked from posting', params: S.ChatParams, response: { 200: Type.Array(UserInfo) } } },
    async (req) => (await core.chats.listBlockedUsers(req.auth.user, req.params.id)).map((u) => presentMember(u, publicUrl)),
  );
}
