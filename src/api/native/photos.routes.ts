/** The native photo routes (USERS 12 and 13): attach an upload as a photo, remove one. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { NativeOptions } from './options.js';
import { AttachBody, MediaIdParams } from './media.schemas.js';
import { Ok } from './users.schemas.js';

const session = { auth: 'session' } as const;
const tags = ['users'];

export async function photosRoutes(parent: FastifyInstance, { core }: NativeOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/users/me/photos', {
    schema: {
      tags,
      summary: 'Make an image the caller uploaded their newest photo',
      description: 'Only the uploader may use an upload: another user’s upload answers 404, like an unknown one; a non-image 415.',
      body: AttachBody('photo'),
      response: { 200: Ok },
    },
    config: session,
  }, async (request) => {
    await core.users.addPhoto(request.auth.user, request.body.photo.id);
    return {};
  });

  app.delete('/users/me/photos/:id', {
    schema: { tags, summary: 'Remove one of the caller’s photos and its files', params: MediaIdParams, response: { 200: Ok } },
    config: session,
  }, async (request) => {
    await core.users.removePhoto(request.auth.user, request.params.id);
    return {};
  });
}
