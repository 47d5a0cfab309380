/**
 * The admin routes: what the `parley` CLI does, over HTTP, for accounts whose role is admin
 * (401 without a token, 403 for anyone else). Thin: each calls one admin-service function.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { UserRecord } from '../../ports/store.js';
import * as S from './admin.schemas.js';
import type { NativeOptions } from './options.js';
import { compact, iso, presentSession } from './users.presenters.js';
import { DeviceSession, Ok } from './users.schemas.js';
import { PageQuery, pageOf, pageUrl, setLinks } from '../../edge/paging.js';

const tags = ['admin'];

/** An account as admins see it: role and disabled state included. */
export function presentAdminUser(user: UserRecord) {
  return compact({
    id: user.id,
    uid: user.uid,
    username: user.username,
    name: user.displayName,
    email: user.email,
    role: user.role,
    disabledAt: user.disabledAt === null ? null : iso(user.disabledAt),
    createdAt: iso(user.createdAt),
    lastSeen: user.lastSeenAt === null ? null : iso(user.lastSeenAt),
  });
}

/** Every admin route declares it: an administrator's session (401 without a token, 403 for anyone else). */
const adminOnly = { auth: 'admin' } as const;

/** Registers the `/admin` routes; every one needs an admin's token. */
export async function adminRoutes(parent: FastifyInstance, { core }: NativeOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { admin } = core;
  const user = { 200: S.AdminUser };

  app.post(
    '/admin/users',
    { config: adminOnly, schema: { tags, summary: 'Create an account (not counted against the sign-up limit)', body: S.CreateUserBody, response: user } },
    async (req) => presentAdminUser(await admin.createUser(req.body, req.auth.user)),
  );

  app.get(
    '/admin/users',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'Accounts newest first, optionally matching `q`, with their session counts',
        querystring: S.ListUsersQuery,
        response: { 200: S.UsersPage },
      },
    },
    async (req, reply) => {
      const page = await admin.listUsers({ query: req.query.q, cursor: req.query.cursor, limit: req.query.limit });
      if (page.nextCursor) setLinks(reply, [{ rel: 'next', url: pageUrl(req, String(page.nextCursor)) }]);
      return {
        users: page.users.map(({ user, sessions }) => ({ ...presentAdminUser(user), disabled: user.disabledAt !== null, sessions })),
        nextCursor: page.nextCursor ?? null,
      };
    },
  );

  app.delete(
    '/admin/users/:user',
    {
      config: adminOnly,
      schema: { tags, summary: 'Delete an account and everything it owns, as its own deletion would', params: S.UserParams, response: { 200: Ok } },
    },
    async (req) => (await admin.deleteUser(req.params.user, req.auth.user), {}),
  );

  app.get(
    '/admin/users/:user',
    { config: adminOnly, schema: { tags, summary: 'An account by id or username', params: S.UserParams, response: user } },
    async (req) => presentAdminUser(await admin.findUser(req.params.user)),
  );

  app.put(
    '/admin/users/:user/disable',
    { config: adminOnly, schema: { tags, summary: 'Disable an account: no more logins, every session ends at once', params: S.UserParams, response: user } },
    async (req) => presentAdminUser(await admin.disableUser(req.params.user, req.auth.user)),
  );

  app.put(
    '/admin/users/:user/enable',
    { config: adminOnly, schema: { tags, summary: 'Let a disabled account log in again', params: S.UserParams, response: user } },
    async (req) => presentAdminUser(await admin.enableUser(req.params.user, req.auth.user)),
  );

  app.put(
    '/admin/users/:user/password',
    { config: adminOnly, schema: { tags, summary: 'Set a new password; every session ends', params: S.UserParams, body: S.PasswordBody, response: user } },
    async (req) => presentAdminUser(await admin.resetPassword(req.params.user, req.body.password, req.auth.user)),
  );

  app.put(
    '/admin/users/:user/role',
    { config: adminOnly, schema: { tags, summary: 'Promote to admin or demote to user', params: S.UserParams, body: S.RoleBody, response: user } },
    async (req) => presentAdminUser(await admin.setRole(req.params.user, req.body.role, req.auth.user)),
  );

  app.get(
    '/admin/users/:user/sessions',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'The account’s device sessions (never their tokens)',
        params: S.UserParams,
        querystring: PageQuery(),
        response: { 200: Type.Array(DeviceSession) },
      },
    },
    async (req, reply) =>
      pageOf(req, reply, (await admin.listSessions(req.params.user)).sessions, {
        list: 'sessions',
        key: (s) => [s.createdAt, s.id],
        shape: ['number', 'string'],
        query: req.query,
      }).map((s) => presentSession(s)),
  );

  app.delete(
    '/admin/users/:user/sessions',
    { config: adminOnly, schema: { tags, summary: 'End every session of the account', params: S.UserParams, response: { 200: S.Revoked } } },
    async (req) => ({ revoked: await admin.revokeAllSessions(req.params.user, req.auth.user) }),
  );

  app.delete(
    '/admin/sessions/:id',
    { config: adminOnly, schema: { tags, summary: 'End one session at once (its socket closes)', params: S.SessionParams, response: { 200: Ok } } },
    async (req) => (await admin.revokeSession(req.params.id, req.auth.user), {}),
  );

  app.post(
    '/admin/keys/rotate',
    {
      config: adminOnly,
      schema: { tags, summary: 'A new token signing key signs from now on; older tokens verify until they expire', response: { 200: S.Rotated } },
    },
    async (req) => admin.rotateSigningKey(req.auth.user),
  );
}
