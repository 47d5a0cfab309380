/**
 * The conversation routes of the backend the V-app web client was written against
 * (`backend-node/routes/vonage.js` before its 2024 rewrite), over Parley's chats:
 * `GET /conversations`, `GET /conversations/<id>`, `POST /conversations {users}`.
 * As there, a body without users is 400 `data:validation`; unlike there, an unknown or
 * foreign conversation is 404 (the original answered 500).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import type { VappOptions } from './options.js';
import { VappHttpError, validationError } from './vapp.errors.js';
import { presentConversation, presentConversationSummary } from './vapp.presenters.js';
import * as S from './vapp.schemas.js';

const tags = ['vapp'];
const vapp = { auth: 'vapp' } as const;
const problems = { '4xx': S.Problem, 500: S.Problem };

/** The original's answer to a body without users. */
const usersRequired = () => new VappHttpError(400, { type: 'data:validation', title: 'Bad Request', detail: 'The request must include users' });

export async function vappConversationRoutes(parent: FastifyInstance, { core, publicBase }: VappOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/conversations',
    {
      config: vapp,
      schema: {
        tags,
        summary: 'The caller’s conversations (their chats with other people), newest activity first',
        response: { 200: S.ConversationList, ...problems },
      },
    },
    async (request) => (await core.vappConversations.list(request.vappUser)).map((c) => presentConversationSummary(c, publicBase)),
  );

  app.get(
    '/conversations/:id',
    {
      config: vapp,
      schema: {
        tags,
        summary: 'One of the caller’s conversations with its newest 200 messages as events (404 for any other id)',
        params: S.ConversationParams,
        response: { 200: S.Conversation, ...problems },
      },
    },
    async (request) => presentConversation(await core.vappConversations.get(request.vappUser, request.params.id), publicBase),
  );

  app.post(
    '/conversations',
    {
      config: vapp,
      schema: {
        tags,
        summary: 'A conversation of the caller with `users` (V-app ids); with one user, their personal chat (reused)',
        description:
          'With Vonage configured it is created at the Conversation API too, every member joined (a Vonage failure is 500 system:error and nothing is created).',
        body: S.NewConversationBody,
        response: { 200: S.Conversation, ...problems },
      },
      preValidation: async (request) => {
        if (request.body === null || request.body === undefined) request.body = {};
      },
    },
    async (request) => {
      const users = request.body.users;
      if (!users || users.length === 0) throw usersRequired();
      try {
        return presentConversation(await core.vappConversations.create(request.vappUser, users), publicBase);
      } catch (error) {
        // The original answers its body problems with 400 (the seed's sign-up ones are 403).
        if (error instanceof AppError && error.code === 'validation') throw validationError(error.details.invalidParameters ?? [], 400);
        throw error;
      }
    },
  );
}
