/**
 * One user and one message by id, as chat.connor.fun's Go server serves them
 * (`controllers/user_controller.go` GetUser, `controllers/messages_controller.go` GetMessage
 * and UpdateMessage): `GET /users/<id>` for signed-in users (its roles file gives
 * `/api/v1/users/*` to normalUser only), `GET /messages/<id>` for anyone, `PUT
 * /messages/<id> {text}` for the author or an administrator. Errors keep its types:
 * BAD_ID, USER_NOT_FOUND, RESOURCE_NOT_FOUND, BAD_CONTENT, NOT_AUTHORIZED.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Core } from '../../core/index.js';
import { AppError } from '../../errors.js';
import { RoomsHttpError, ok } from './envelope.js';
import { rolesOf } from './roles.js';
import { Envelope, RolesAccount, RoomMessage } from './rooms.schemas.js';

const tags = ['rooms'];
const Id = Type.Object({ id: Type.String({ maxLength: 100 }) });
/** The body is read by hand so that a wrong one answers the original's BAD_CONTENT. */
const TextBody = Type.Unknown({ description: '{"text": "…"}, 1 to 2048 bytes' });

/** Runs `work`, answering the original's types for what the core refuses. */
async function asOriginal<T>(work: () => Promise<T>, notFoundType: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === 'not_found') throw new RoomsHttpError(404, notFoundType, error.message);
    if (error.code === 'forbidden') throw new RoomsHttpError(403, 'NOT_AUTHORIZED', error.message);
    if (error.code === 'validation')
      throw new RoomsHttpError(400, 'BAD_CONTENT', error.details.invalidParameters?.map((p) => `${p.name} ${p.reason}`).join('; ') ?? error.message);
    throw error;
  }
}

export async function roomsRecordRoutes(parent: FastifyInstance, { core }: { core: Core }) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/users/:id',
    {
      config: { auth: 'session' },
      schema: { tags, summary: 'A user with their roles (signed-in callers only)', params: Id, response: { 200: Envelope(RolesAccount) } },
    },
    async (req) => {
      // The original answers a malformed id with 404 BAD_ID, as it does.
      if (!/^[1-9]\d{0,15}$/.test(req.params.id)) throw new RoomsHttpError(404, 'BAD_ID', 'No user has that id.');
      const user = await core.rooms.findAccount(Number(req.params.id));
      if (!user) throw new RoomsHttpError(404, 'USER_NOT_FOUND', 'User not found.');
      return ok({ id: user.id, username: user.username, roles: rolesOf(user.role) });
    },
  );

  app.get(
    '/messages/:id',
    { config: { auth: 'none' }, schema: { tags, summary: 'One room message (rooms are public)', params: Id, response: { 200: Envelope(RoomMessage) } } },
    async (req) => {
      if (!/^[A-Za-z0-9-]{1,64}$/.test(req.params.id)) throw new RoomsHttpError(400, 'BAD_ID', 'That is not a message id.');
      return ok(await asOriginal(() => core.rooms.getMessage(req.params.id), 'RESOURCE_NOT_FOUND'));
    },
  );

  app.put(
    '/messages/:id',
    {
      config: { auth: 'session' },
      schema: {
        tags,
        summary: 'Change a room message’s text (its author or an administrator); not sent to room sockets',
        params: Id,
        body: TextBody,
        response: { 200: Envelope(RoomMessage) },
      },
    },
    async (req) => {
      if (!/^[A-Za-z0-9-]{1,64}$/.test(req.params.id)) throw new RoomsHttpError(400, 'BAD_ID', 'That is not a message id.');
      const text = (req.body as { text?: unknown } | null)?.text;
      if (typeof text !== 'string') throw new RoomsHttpError(400, 'BAD_CONTENT', 'The body must be {"text": "…"}.');
      const { user } = req.roomsAuth;
      return ok(await asOriginal(() => core.rooms.editMessage({ user, isAdmin: user.role === 'admin' }, req.params.id, text), 'RESOURCE_NOT_FOUND'));
    },
  );
}
