/** The native routes of trust and safety, part A (issue 21): user blocks, group roles and bans. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../core/index.js';
import { presentChat, presentMember } from './chats.presenters.js';
import * as S from './chats.schemas.js';
import { iso } from './users.presenters.js';
import { Ok, UserIdParams, UserInfo } from './users.schemas.js';
import { PageQuery, pageOf } from '../../edge/paging.js';

const session = { auth: 'session' } as const;

const RoleBody = Type.Object({
  role: Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')], {
    description: '`owner` hands the chat over (the old owner becomes an admin)',
  }),
});

const BanInfo = Type.Object({
  user: UserInfo,
  bannedBy: Type.Optional(Type.Integer({ description: 'The owner or admin who banned them (absent once their account is gone)' })),
  createdAt: Type.String({ format: 'date-time' }),
});

export async function blocksRolesRoutes(parent: FastifyInstance, { core, publicUrl }: { core: Core; publicUrl: string }) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const ok = {};
  const users = ['users'];
  const chats = ['chats'];

  app.put(
    '/users/me/blocks/:id',
    {
      config: session,
      schema: {
        tags: users,
        summary: 'Block a user: they cannot open a personal chat with you, add you to groups or write to you; no pushes of theirs',
        params: UserIdParams,
        response: { 200: Ok },
      },
    },
    async (req) => (await core.blocks.blockUser(req.auth.user, req.params.id), ok),
  );

  app.delete(
    '/users/me/blocks/:id',
    { config: session, schema: { tags: users, summary: 'Unblock a user', params: UserIdParams, response: { 200: Ok } } },
    async (req) => (await core.blocks.unblockUser(req.auth.user, req.params.id), ok),
  );

  app.get(
    '/users/me/blocks',
    {
      config: session,
      schema: { tags: users, summary: 'The users you blocked, newest block first', querystring: PageQuery(), response: { 200: Type.Array(UserInfo) } },
    },
    async (req, reply) =>
      pageOf(req, reply, await core.blocks.listBlocked(req.auth.user), {
        list: 'blocks',
        key: (b) => [-b.blockedAt, b.user.id],
        shape: ['number', 'number'],
        query: req.query,
      }).map((b) => ({ ...presentMember(b.user, publicUrl), isBlocked: true })),
  );

  app.put(
    '/chats/:id/users/:userId/role',
    {
      config: session,
      schema: { tags: chats, summary: 'Set a member’s role in a group (owner only)', params: S.ChatUserParams, body: RoleBody, response: { 200: S.ChatInfo } },
    },
    async (req) => presentChat(await core.chatModeration.setRole(req.auth.user, req.params.id, req.params.userId, req.body.role), publicUrl),
  );

  app.put(
    '/chats/:id/bans/:userId',
    {
      config: session,
      schema: {
        tags: chats,
        summary: 'Ban a user from a group: removed, and refused re-adding until unbanned (owner or admin)',
        params: S.ChatUserParams,
        response: { 200: S.ChatInfo },
      },
    },
    async (req) => presentChat(await core.chatModeration.ban(req.auth.user, req.params.id, req.params.userId), publicUrl),
  );

  app.delete(
    '/chats/:id/bans/:userId',
    {
      config: session,
      schema: { tags: chats, summary: 'Lift a ban (owner or admin); the user is not re-added', params: S.ChatUserParams, response: { 200: Ok } },
    },
    async (req) => (await core.chatModeration.unban(req.auth.user, req.params.id, req.params.userId), ok),
  );

  app.get(
    '/chats/:id/bans',
    {
      config: session,
      schema: {
        tags: chats,
        summary: 'The group’s bans, newest first (owner or admin)',
        params: S.ChatParams,
        querystring: PageQuery(),
        response: { 200: Type.Array(BanInfo) },
      },
    },
    async (req, reply) =>
      pageOf(req, reply, await core.chatModeration.listBans(req.auth.user, req.params.id), {
        list: 'bans',
        key: (b) => [-b.createdAt, b.user.id],
        shape: ['number', 'number'],
        query: req.query,
      }).map((b) => ({
        user: presentMember(b.user, publicUrl),
        ...(b.bannedBy === null ? {} : { bannedBy: b.bannedBy }),
        createdAt: iso(b.createdAt),
      })),
  );
}
