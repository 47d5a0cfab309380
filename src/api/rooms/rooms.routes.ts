/** The rooms API's HTTP routes (SPEC 4, seed 002): users, login, room info and history. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../core/index.js';
import type { Profile } from '../../core/profiles.js';
import { invalid } from '../../errors.js';
import { HISTORY_DEFAULT, HISTORY_MAX } from '../../core/message-rules.js';
import { ROOM_NAME_PATTERN } from '../../core/rooms.service.js';
import { MAX_RECORD_ID } from '../validation.js';
import { ok } from './envelope.js';
import { rolesOf } from './roles.js';
import { Account, Envelope, RolesAccount, RoomMessage } from './rooms.schemas.js';
import { CursorParam, decodeCursor, encodeCursor, pageUrl, setLinks } from '../../edge/paging.js';

const tags = ['rooms'];
/** Every rooms HTTP route is public: a login answers a native token, used on the sockets. */
const none = { auth: 'none' } as const;
const Credentials = Type.Object({ username: Type.String({ maxLength: 254 }), secret: Type.String({ maxLength: 1024 }) });
/** A login's credentials; `code` is the second factor of an account with two-factor sign-in. */
const LoginCredentials = Type.Object({ ...Credentials.properties, code: Type.Optional(Type.String({ maxLength: 64 })) });

/** What the routes read of the room sockets on this node. */
export interface LiveRooms {
  /** How many sockets listen to `room` (a folded name). */
  count(room: string): number;
  /** The signed-in users listening to `room`, each once. */
  members(room: string): Profile[];
}

export async function roomsRoutes(parent: FastifyInstance, { core, live }: { core: Core; live: LiveRooms }) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/users',
    {
      config: none,
      schema: {
        tags,
        summary: 'Create an account',
        body: Type.Intersect([Credentials, Type.Object({ email: Type.Optional(Type.String({ maxLength: 254 })) })]),
        response: { 201: Envelope(Account) },
      },
    },
    async (req, reply) => {
      // The frontend's register form sends `"email": ""` when the field is left empty: that is no email.
      const email = req.body.email === '' ? undefined : req.body.email;
      const user = await core.accounts.createAccount({
        name: req.body.username,
        username: req.body.username,
        password: req.body.secret,
        email,
        ipAddress: req.ip,
      });
      return reply.code(201).send(ok({ id: user.id, username: user.username }));
    },
  );

  app.post(
    '/login',
    {
      config: none,
      schema: {
        tags,
        summary: 'Log in: a native access token of a new device session',
        body: LoginCredentials,
        response: { 200: Envelope(Type.Object({ token: Type.String(), user: RolesAccount })) },
      },
    },
    async (req) => {
      const { user, opened } = await core.accounts.login({ username: req.body.username }, req.body.secret, undefined, req.ip, 'rooms', req.body.code);
      return ok({ token: opened.accessToken, user: { id: user.id, username: user.username, roles: rolesOf(user.role) } });
    },
  );

  app.get(
    '/rooms/:room',
    {
      config: none,
      schema: {
        tags,
        summary: 'A room, how many sockets are in it and the signed-in users among them (on this node)',
        params: Type.Object({ room: Type.String({ pattern: ROOM_NAME_PATTERN }) }),
        response: {
          200: Envelope(
            Type.Object({ id: Type.String(), name: Type.String(), createTime: Type.Integer(), memberCount: Type.Integer(), members: Type.Array(Account) }),
          ),
        },
      },
    },
    async (req) => {
      const room = await core.rooms.findRoom(req.params.room);
      const members = live.members(room.roomName!).map((m) => ({ id: m.id, username: m.username }));
      return ok({ id: room.id, name: room.roomName!, createTime: Math.floor(room.createdAt / 1000), memberCount: live.count(room.roomName!), members });
    },
  );

  app.get(
    '/messages',
    {
      config: none,
      schema: {
        tags,
        summary: 'A room’s newest messages: by name (`room`) newest first; by id (`room_id`, as the original frontend asks) oldest first',
        querystring: Type.Object({
          room: Type.Optional(Type.String({ pattern: ROOM_NAME_PATTERN })),
          room_id: Type.Optional(Type.String({ format: 'uuid' })),
          count: Type.Integer({ minimum: 1, maximum: HISTORY_MAX, default: HISTORY_DEFAULT }),
          before: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RECORD_ID })),
          cursor: CursorParam,
        }),
        response: { 200: Envelope(Type.Array(RoomMessage)) },
      },
    },
    async (req, reply) => {
      const { room, room_id: roomId } = req.query;
      if (room === undefined && roomId === undefined) throw invalid([{ name: 'room', reason: 'is required (or room_id)' }]);
      const position = decodeCursor('room-messages', req.query.cursor, ['number']);
      const page = await core.rooms.history(room ?? { id: roomId! }, req.query.count, position ? Number(position[0]) : req.query.before);
      // Older ones follow a full page (edge/paging.ts); the page itself is newest first here, whichever form.
      const oldest = page.at(-1);
      if (oldest && page.length >= req.query.count)
        setLinks(reply, [{ rel: 'next', url: pageUrl(req, encodeCursor('room-messages', [oldest.id]), ['before']) }]);
      // By `room_id` (the original server's form) the page is oldest first, as the original's
      // unordered query returned it: its frontend sorts by createTime in whole seconds, so
      // messages of one second would otherwise show newest first.
      return ok(room === undefined ? page.reverse() : page);
    },
  );
}
