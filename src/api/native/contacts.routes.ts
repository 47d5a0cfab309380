/** The native CONTACTS API (SPEC 2 "Contacts"). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../core/index.js';
import { presentContact } from './chats.presenters.js';
import * as S from './chats.schemas.js';
import { Ok } from './users.schemas.js';
import { PageQuery, pageOf } from '../../edge/paging.js';

const tags = ['contacts'];

const session = { auth: 'session' } as const;

export async function contactsRoutes(parent: FastifyInstance, { core, publicUrl }: { core: Core; publicUrl: string }) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/users/me/contacts',
    {
      config: session,
      schema: { tags, summary: 'Add a contact (again: update its name and favourite)', body: S.ContactBody, response: { 200: S.ContactInfo } },
    },
    async (req) =>
      presentContact(
        await core.contacts.addContact(req.auth.user, { userId: req.body.user.id, name: req.body.name, isFavorite: req.body.isFavorite }),
        publicUrl,
      ),
  );

  app.get(
    '/users/me/contacts',
    { config: session, schema: { tags, summary: 'The caller’s contacts', querystring: PageQuery(), response: { 200: Type.Array(S.ContactInfo) } } },
    async (req, reply) =>
      pageOf(req, reply, await core.contacts.listContacts(req.auth.user), {
        list: 'contacts',
        key: (v) => [v.contact.createdAt, v.contact.id],
        shape: ['number', 'string'],
        query: req.query,
      }).map((view) => presentContact(view, publicUrl)),
  );

  app.delete(
    '/users/me/contacts/:id',
    { config: session, schema: { tags, summary: 'Remove a contact', params: S.ContactParams, response: { 200: Ok } } },
    async (req) => (await core.contacts.deleteContact(req.auth.user, req.params.id), {}),
  );
}
