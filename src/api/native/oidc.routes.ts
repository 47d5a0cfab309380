/**
 * OIDC single sign-on (issue 22): `GET /auth/oidc` says whether it is on; `/auth/oidc/start`
 * sends the browser to the provider; `/auth/oidc/callback` answers with the same session as
 * a native login (JSON), or, when the start asked for `redirect=/path`, sends the browser
 * there with the token in the fragment (`#token=…`). Registered at the root only: the
 * callback URL is the one registered with the provider.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { invalid } from '../../errors.js';
import { presentMedia } from './media.presenters.js';
import type { NativeOptions } from './options.js';
import { loginAnswer } from './users.routes.js';
import * as S from './users.schemas.js';

const none = { auth: 'none' } as const;
const tags = ['users'];

/** A path of this server (`/app`, `/app/#x`): never another origin (`//host`, `/\host`, `https:`). */
const isLocalPath = (value: string) => /^\/(?![/\\])[^\s]*$/.test(value);

export async function oidcRoutes(parent: FastifyInstance, { core, publicUrl }: NativeOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/auth/oidc',
    {
      config: none,
      schema: {
        tags,
        summary: 'Whether single sign-on (OIDC) is configured, and the provider’s name',
        response: { 200: Type.Object({ enabled: Type.Boolean(), name: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async () => core.oidc.describe(),
  );

  app.get(
    '/auth/oidc/start',
    {
      config: none,
      schema: {
        tags,
        summary: 'Begin a single sign-on: redirects to the provider (code flow with PKCE); 404 when not configured',
        querystring: Type.Object({ redirect: Type.Optional(Type.String({ maxLength: 2000 })) }),
      },
    },
    async (request, reply) => {
      const { redirect } = request.query;
      if (redirect !== undefined && !isLocalPath(redirect)) throw invalid([{ name: 'redirect', reason: 'must be a path of this server, such as /app/' }]);
      return reply.redirect(await core.oidc.start(redirect ?? null), 302);
    },
  );

  app.get(
    '/auth/oidc/callback',
    {
      config: none,
      schema: {
        tags,
        summary: 'The provider’s redirect back: checks state, code and ID token, opens a device session',
        response: { 200: S.LoginAnswer },
      },
    },
    async (request, reply) => {
      const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      const { redirect, ...result } = await core.oidc.finish(search, request.ip);
      const photos = ((await core.users.photosOf([result.user.id])).get(result.user.id) ?? []).map((m) => presentMedia(m, publicUrl));
      const answer = loginAnswer(result, photos);
      if (redirect !== null) {
        const [path] = redirect.split('#');
        return reply.header('cache-control', 'no-store').redirect(`${path}#token=${encodeURIComponent(answer.token)}`, 303);
      }
      return reply.header('cache-control', 'no-store').send(answer);
    },
  );
}
