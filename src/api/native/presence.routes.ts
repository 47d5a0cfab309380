/**
 * The native PRESENCE API (issue 19): what the caller chose (`PUT /users/me/presence`) and the
 * current presence of users the caller sees (`GET /users/presence?ids=`), the snapshot a
 * client takes when its socket opens; changes then come as `presence` socket events.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { invalid, notFound } from '../../errors.js';
import type { PresenceSetting } from '../../ports/store.js';
import type { NativeOptions } from './options.js';
import { presentPresence } from './socket.frames.js';

const tags = ['users'];
const session = { auth: 'session' } as const;
/** Users one `GET /users/presence` may ask about. */
export const MAX_PRESENCE_IDS = 200;

export const PresenceInfo = Type.Object(
  {
    userId: Type.Integer(),
    status: Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('dnd'), Type.Literal('offline')]),
    lastSeen: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { description: 'A user’s presence as others see it (an invisible user is `offline`)' },
);
const Setting = Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('dnd'), Type.Literal('invisible')], {
  description: '`online`: automatic (online, or away after PRESENCE_AWAY_SECONDS without activity); `invisible` looks offline',
});
const OwnPresence = Type.Object({
  status: Setting,
  shownAs: Type.Index(PresenceInfo, ['status']),
  lastSeen: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const PresenceBody = Type.Object({ status: Setting }, { additionalProperties: false });
const PresenceQuery = Type.Object({
  ids: Type.String({ minLength: 1, maxLength: 4000, description: `User ids, comma-separated (at most ${MAX_PRESENCE_IDS})` }),
});

/** `1,2,3` as ids; a clear 400 for anything else. */
function parseIds(ids: string): number[] {
  const parts = ids.split(',').map((p) => p.trim());
  if (parts.length > MAX_PRESENCE_IDS) throw invalid([{ name: 'ids', reason: `at most ${MAX_PRESENCE_IDS} ids` }]);
  const parsed = parts.map((p) => (/^[1-9][0-9]{0,15}$/.test(p) ? Number(p) : Number.NaN));
  if (parsed.some((n) => !Number.isSafeInteger(n))) throw invalid([{ name: 'ids', reason: 'must be positive integer ids, comma-separated' }]);
  return [...new Set(parsed)];
}

export async function presenceRoutes(parent: FastifyInstance, { core }: NativeOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const own = async (userId: number) => {
    const mine = await core.presence.own(userId);
    if (!mine) throw notFound('User');
    return { status: mine.setting, shownAs: mine.view.status, lastSeen: presentPresence(mine.view).lastSeen };
  };

  app.get(
    '/users/me/presence',
    { config: session, schema: { tags, summary: 'The presence the caller chose and how others see it', response: { 200: OwnPresence } } },
    async (request) => own(request.auth.user.id),
  );

  app.put(
    '/users/me/presence',
    {
      config: session,
      schema: { tags, summary: 'Choose a presence (kept across reconnects and restarts)', body: PresenceBody, response: { 200: OwnPresence } },
    },
    async (request) => {
      if (!(await core.presence.choose(request.auth.user.id, request.body.status as PresenceSetting))) throw notFound('User');
      return own(request.auth.user.id);
    },
  );

  app.get(
    '/users/presence',
    {
      config: session,
      schema: {
        tags,
        summary: 'The presence of users the caller shares a chat with or has as contacts (others are left out)',
        querystring: PresenceQuery,
        response: { 200: Type.Array(PresenceInfo) },
      },
    },
    async (request) => (await core.presence.of(request.auth.user.id, parseIds(request.query.ids))).map(presentPresence),
  );
}
