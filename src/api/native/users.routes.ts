/** The native USERS API (SPEC 2 "Users", seed 001): thin routes over the core services. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import type { DeviceInput } from '../../core/sessions.service.js';
import type { LoginResult } from '../../core/accounts.service.js';
import { invalid, unauthenticated } from '../../errors.js';
import type { UserRecord } from '../../ports/store.js';
import { basicCredentials } from '../../edge/credentials.js';
import { API_PREFIX, type NativeOptions } from './options.js';
import type { RouteAuth } from '../../edge/route-auth.js';
import { presentMedia, type MediaInfo } from './media.presenters.js';
import { presentedFields, presentUser } from './users.presenters.js';
import { AnswerMemo } from './answer-memo.js';
import { decodeCursor, encodeCursor, pageUrl, setLinks } from '../../edge/paging.js';
import { presentMe } from './me-answer.js';
import * as S from './users.schemas.js';

const none = { auth: 'none' } as const;
const session = { auth: 'session' } as const;
const tags = ['users'];

/** The flat UserInfo with the token (seed 001), plus `info` for upstream's PrivateInfo readers; the opened session is `deviceSessions[0]`. */
export function loginAnswer({ user, opened }: LoginResult, photos: MediaInfo[]) {
  return {
    ...presentUser(user, { photos, self: true, sessions: [opened.session], openedToken: { sessionId: opened.session.id, token: opened.accessToken } }),
    token: opened.accessToken,
    uid: user.uid,
    info: presentUser(user, { photos, self: true }),
  };
}

/** The DeviceInfo of a login body: `deviceInfo`, or the body's own fields (upstream's web app with Basic). */
function loginDevice(body: Static<typeof S.LoginBody>): DeviceInput | undefined {
  if (body.deviceInfo) return body.deviceInfo;
  const { id, name, model, token, transport } = body;
  return [id, name, model, token, transport].some((v) => v !== undefined) ? { id, name, model, token, transport } : undefined;
}

export async function usersRoutes(parent: FastifyInstance, { core, publicUrl, publicProfiles }: NativeOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const ok = {};
  const underApi = parent.prefix === API_PREFIX;

  /** Looks up the photos of `users` in one query; returns each user's MediaInfo list. */
  async function photosFor(users: UserRecord[]): Promise<(user: UserRecord) => MediaInfo[]> {
    const byUser = await core.users.photosOf(users.map((u) => u.id));
    return (user) => (byUser.get(user.id) ?? []).map((m) => presentMedia(m, publicUrl));
  }
  /** UserInfo of `users` as `viewerId` sees them: `isBlocked` on those the viewer blocked. */
  async function presentAll(users: UserRecord[], viewerId: number | undefined) {
    const [photosOf, blocked] = await Promise.all([
      photosFor(users),
      viewerId === undefined
        ? new Set<number>()
        : core.blocks.blockedAmong(
            viewerId,
            users.map((u) => u.id),
          ),
    ]);
    return users.map((u) => presentUser(u, { photos: photosOf(u), isBlocked: blocked.has(u.id) }));
  }
  const answerLogin = async (result: LoginResult) => loginAnswer(result, (await photosFor([result.user]))(result.user));

  app.post(
    '/users',
    {
      config: none,
      schema: { tags, summary: 'Register a user and open a device session', body: S.RegisterBody, response: { 200: S.LoginAnswer } },
    },
    async (request) => {
      const { name, username, password, email, deviceInfo } = request.body;
      return answerLogin(await core.accounts.register({ name, username, password, email, device: deviceInfo, ipAddress: request.ip }));
    },
  );

  app.post(
    '/users/login',
    {
      config: none,
      schema: {
        tags,
        summary: 'Log in with Basic credentials or a JSON body ({username|email, password})',
        body: Type.Union([S.LoginBody, Type.Null()]),
        response: { 200: S.LoginAnswer },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const basic = basicCredentials(request);
      if (basic) return answerLogin(await core.accounts.login(basic.id, basic.password, loginDevice(body), request.ip, 'native', body.code));
      if (request.headers.authorization && !body.password) throw unauthenticated('Unsupported Authorization header; use Basic credentials.');
      const problems = [];
      if (body.password === undefined) problems.push({ name: 'password', reason: 'is required' });
      if (body.username === undefined && body.email === undefined) problems.push({ name: 'username', reason: 'username or email is required' });
      if (problems.length > 0) throw invalid(problems, 'Send Basic credentials, or username (or email) and password.');
      const id = body.username !== undefined ? { username: body.username } : { email: body.email! };
      return answerLogin(await core.accounts.login(id, body.password!, loginDevice(body), request.ip, 'native', body.code));
    },
  );

  // The serialised answer, remembered while its user, sessions and photos are the same values.
  const meAnswers = new AnswerMemo<UserRecord>();
  app.get(
    '/users/me',
    { schema: { tags, summary: 'The caller, with all device sessions', response: { 200: S.UserInfo } }, config: session },
    async (request, reply) => {
      const { user } = request.auth;
      const [sessions, photos] = await Promise.all([core.sessions.list(user.id), core.users.photosOf([user.id])]);
      const records = photos.get(user.id) ?? [];
      // The user's presented fields, then the records (frozen, replaced by any write).
      const inputs = [...presentedFields(user), sessions.length, ...sessions, ...records];
      const body = meAnswers.get(user, inputs, () =>
        String(reply.serialize(presentUser(user, { self: true, sessions, photos: records.map((m) => presentMedia(m, publicUrl)) }))),
      );
      // Already serialised by the route's own schema: sent as JSON text, not serialised again.
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(body);
    },
  );

  app.post('/users/me/logout', { schema: { tags, summary: 'End the current session', response: { 200: S.Ok } }, config: session }, async (request) => {
    await core.sessions.logout(request.auth.session);
    return ok;
  });

  app.put(
    '/users/me/changePassword',
    {
      schema: { tags, summary: 'Change the password; other sessions are revoked', body: S.ChangePasswordBody, response: { 200: S.Ok } },
      config: session,
    },
    async (request) => {
      const { user, session } = request.auth;
      await core.accounts.changePassword(user, session.id, request.body.oldPassword, request.body.newPassword, request.ip);
      return ok;
    },
  );

  // Upstream's current name and body for the same change (its web app's settings page).
  app.put(
    '/users/me/password',
    {
      schema: {
        tags,
        summary: 'Change the password (upstream’s current route: currentPassword); other sessions are revoked',
        body: S.PasswordBody,
        response: { 200: S.Ok },
      },
      config: session,
    },
    async (request) => {
      const { user, session } = request.auth;
      await core.accounts.changePassword(user, session.id, request.body.currentPassword, request.body.newPassword, request.ip);
      return ok;
    },
  );

  // The seed's name, and upstream's current one (UserController.swift:26), with the same body.
  for (const url of ['/users/me/setAccountKey', '/users/me/accountKey']) {
    app.put(
      url,
      {
        schema: { tags, summary: 'Set the recovery key used by resetPassword', body: S.SetAccountKeyBody, response: { 200: S.Ok } },
        config: session,
      },
      async (request) => {
        await core.accounts.setAccountKey(request.auth.user, request.body.password, request.body.accountKey, request.ip);
        return ok;
      },
    );
  }

  // PUT as the seed's document says, POST as upstream's code serves it (UserController.swift:13).
  app.route({
    method: ['PUT', 'POST'],
    url: '/users/resetPassword',
    config: none,
    schema: { tags, summary: 'Reset the password with the account key; all sessions are revoked', body: S.ResetPasswordBody, response: { 200: S.Ok } },
    handler: async (request) => {
      await core.accounts.resetPassword(request.body.userId, request.body.accountKey, request.body.newPassword, request.ip);
      return ok;
    },
  });

  app.put(
    '/users/me',
    {
      schema: {
        tags,
        summary: 'Update name and about; answers the updated UserInfo under /api',
        body: S.UpdateUserBody,
        response: { 200: Type.Union([S.UserInfo, S.Ok]) },
      },
      config: session,
    },
    async (request) => {
      await core.users.updateProfile(request.auth.user, request.body);
      // Under /api, upstream's answer (the updated UserInfo); the root keeps the seed's OK.
      return underApi ? presentMe(core, publicUrl, request.auth.user.id) : ok;
    },
  );

  app.put(
    '/users/me/device',
    {
      schema: {
        tags,
        summary: 'Rename this device or set its push token; answers the updated UserInfo under /api',
        body: S.UpdateDeviceBody,
        response: { 200: Type.Union([S.UserInfo, S.Ok]) },
      },
      config: session,
    },
    async (request) => {
      await core.sessions.updateDevice(request.auth.session, request.body);
      // Under /api, upstream's answer (the updated UserInfo); the root keeps the seed's OK.
      return underApi ? presentMe(core, publicUrl, request.auth.user.id) : ok;
    },
  );

  app.get(
    '/users/all',
    {
      schema: {
        tags,
        summary: 'All users, newest first, a page below the cursor `id`',
        querystring: S.AllUsersQuery,
        response: { 200: Type.Array(S.UserInfo) },
      },
      config: session,
    },
    async (request, reply) => {
      const { count, cursor } = request.query;
      const position = decodeCursor('users', cursor, ['number']);
      const users = await core.users.listUsers(position ? Number(position[0]) : request.query.id, count);
      const last = users.at(-1);
      if (last && users.length >= count) setLinks(reply, [{ rel: 'next', url: pageUrl(request, encodeCursor('users', [last.id]), ['id']) }]);
      return presentAll(users, request.auth.user.id);
    },
  );

  app.get(
    '/users/:id',
    {
      schema: {
        tags,
        summary: publicProfiles
          ? 'A user’s public information; without a token too (rate-limited per address), as the seed serves it'
          : 'A user’s public information',
        params: S.UserIdParams,
        response: { 200: S.UserInfo },
      },
      // The seed's and upstream's GET /users/<id> take no token; PUBLIC_PROFILES=off requires one.
      config: { auth: publicProfiles ? 'session-optional' : 'session' } satisfies { auth: RouteAuth },
    },
    async (request) => {
      const user = await (async () => {
        if (!publicProfiles || request.viewer !== undefined) return core.users.getUser(request.params.id);
        // Anonymous: counted against the address's limit, and without lastSeen (when someone is
        // online is for those who are signed in; upstream shows it only with ?full=1 too).
        await core.throttle.countProfileView(request.ip);
        return { ...(await core.users.getUser(request.params.id)), lastSeenAt: null };
      })();
      return (await presentAll([user], request.viewer?.user.id))[0]!;
    },
  );

  app.get(
    '/users',
    {
      schema: { tags, summary: 'Search users by name or username', querystring: S.SearchQuery, response: { 200: Type.Array(S.UserInfo) } },
      config: session,
    },
    async (request, reply) => {
      const { s, limit, offset, cursor } = request.query;
      const position = decodeCursor('user-search', cursor, ['number', 'number']);
      // With a cursor, by keyset (offset is left out); else as before, and the Link header is the way on.
      const after = position ? { rank: Number(position[0]), id: Number(position[1]) } : undefined;
      const found = await core.users.searchUsersRanked(s ?? '', limit, after ? { offset: 0, after } : { offset });
      const last = found.at(-1);
      if (last && found.length >= limit)
        setLinks(reply, [{ rel: 'next', url: pageUrl(request, encodeCursor('user-search', [last.rank, last.user.id]), ['offset']) }]);
      const users = found.map((f) => f.user);
      return presentAll(users, request.auth.user.id);
    },
  );

  app.delete(
    '/users/me',
    {
      config: { auth: 'basic' },
      schema: {
        tags,
        summary: 'Delete the account and everything it owns (Basic credentials; `{code}` too with two-factor sign-in)',
        body: Type.Union([Type.Object({ code: Type.Optional(Type.String({ maxLength: 64 })) }), Type.Null()]),
        response: { 200: S.Ok },
      },
    },
    async (request: FastifyRequest) => {
      const code = (request.body as { code?: string } | null | undefined)?.code;
      await core.accounts.deleteAccount(request.basic.id, request.basic.password, request.ip, code);
      return ok;
    },
  );
}
