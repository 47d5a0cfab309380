/** The native photo routes (USERS 12 and 13): attach an upload as a photo, remove one. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { API_PREFIX, type NativeOptions } from './options.js';
import { AttachBody, MediaIdParams } from './media.schemas.js';
import { presentMe } from './me-answer.js';
import { Ok, UserInfo } from './users.schemas.js';

const session = { auth: 'session' } as const;
const tags = ['users'];

export async function photosRoutes(parent: FastifyInstance, { core, publicUrl }: NativeOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const underApi = parent.prefix === API_PREFIX;

  app.post(
    '/users/me/photos',
    {
      schema: {
        tags,
        summary: 'Make an image the caller uploaded their newest photo',
        description: 'Only the uploader may use an upload: another user’s upload answers 404, like an unknown one; a non-image 415.',
        body: AttachBody('photo'),
        response: { 200: Type.Union([UserInfo, Ok]) },
      },
      config: session,
    },
    async (request) => {
      await core.users.addPhoto(request.auth.user, request.body.photo.id);
      // Under /api upstream's web app reads the updated UserInfo back (Public/app/js/user-profile.js:614); the root keeps the seed's OK.
      return underApi ? presentMe(core, publicUrl, request.auth.user.id) : {};
    },
  );

  app.delete(
    '/users/me/photos/:id',
    {
      schema: { tags, summary: 'Remove one of the caller’s photos and its files', params: MediaIdParams, response: { 200: Ok } },
      config: session,
    },
    async (request) => {
      await core.users.removePhoto(request.auth.user, request.params.id);
      return {};
    },
  );
}
