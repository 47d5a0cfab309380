/** The V-app routes (seed 000): thin, each one calls the V-app service and presents its answer. */
import type { Readable } from 'node:stream';
import type { MultipartFile } from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { VappHttpError, validationError } from './vapp.errors.js';
import type { VappOptions } from './options.js';
import { presentConversationSummary, presentSession, presentVappUser } from './vapp.presenters.js';
import * as S from './vapp.schemas.js';

const tags = ['vapp'];
const none = { auth: 'none' } as const;
const vapp = { auth: 'vapp' } as const;
const problems = { '4xx': S.Problem, 500: S.Problem };

/** A JSON route's absent or empty body is `{}`, so each missing field is reported ("must exist"). */
const emptyBodyIsObject = async (request: FastifyRequest) => {
  if (request.body === null || request.body === undefined) request.body = {};
};

const malformed = (detail: string) => new VappHttpError(400, { type: 'data:malformed', title: 'Bad Request', detail });

/**
 * Streams the form's `image` file into `store` (never buffering it). Field problems answer
 * the seed's way, 403 `data:validation` on `image`: missing, not an image by its bytes
 * (PNG, JPEG, GIF, WebP; the part's declared type is not trusted), empty, or one that does
 * not decode or has too many pixels. Too large stays 413.
 */
async function withImage(request: FastifyRequest, store: (body: Readable) => Promise<string>) {
  if (!request.isMultipart()) throw validationError([{ name: 'image', reason: 'must be sent as multipart/form-data' }]);
  let part: MultipartFile | undefined;
  try {
    part = await request.file();
  } catch (error) {
    if (typeof (error as { code?: unknown }).code === 'string' && String((error as { code: string }).code).startsWith('FST_')) throw error;
    throw malformed('The multipart body could not be read.');
  }
  if (part?.fieldname !== 'image') throw validationError([{ name: 'image', reason: 'must exist' }]);
  const file = part.file;
  try {
    return { image_url: await store(part.file) };
  } catch (error) {
    if (error instanceof AppError) {
      if (error.code === 'unsupported_media_type') throw validationError([{ name: 'image', reason: 'must be a PNG, JPEG, GIF or WebP image' }]);
      if (error.code === 'unprocessable') throw validationError([{ name: 'image', reason: error.message }]);
      if (error.code === 'validation') throw validationError([{ name: 'image', reason: 'must not be empty' }]);
      throw error;
    }
    // The parser destroys the part with its error when the form breaks off or is malformed.
    if (file.errored) throw malformed('The multipart body broke off or is malformed.');
    throw error;
  }
}

const IMAGE_URL_MAX = 2048;

/** The `image_url` of a JSON `POST /image`, checked: an absolute http(s) URL of at most 2048 characters. */
function imageUrlOf(body: unknown): string {
  const value = (body as { image_url?: unknown } | null | undefined)?.image_url;
  if (value === undefined || value === null || value === '') {
    throw new VappHttpError(400, { type: 'data:validation', title: 'Bad Request', detail: 'The request must include image_url' });
  }
  const reason = 'must be an absolute http or https URL of at most 2048 characters';
  if (typeof value !== 'string' || value.length > IMAGE_URL_MAX) throw validationError([{ name: 'image_url', reason }], 400);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw validationError([{ name: 'image_url', reason }], 400);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw validationError([{ name: 'image_url', reason }], 400);
  return url.href;
}

/** The six routes of seed 000. */
export async function vappRoutes(parent: FastifyInstance, { core, publicBase }: VappOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  /** The session answer plus the caller's conversations (the original backend's login and sign-up answered them; the web client reads them). */
  const withConversations = async (session: Parameters<typeof presentSession>[0]) => ({
    ...presentSession(session, publicBase),
    conversations: (await core.vappConversations.list(session.self.user)).map((c) => presentConversationSummary(c, publicBase)),
  });

  app.post(
    '/signup',
    {
      config: none,
      schema: {
        tags,
        summary: 'Create an account; answers the user, a Vonage user token and everyone else (201)',
        description:
          'Validation problems are 403 data:validation, a taken name 409; with Vonage configured the user is also created there (a Vonage failure is 500 system:error and nothing is created).',
        body: S.SignupBody,
        response: { 201: S.SessionWithConversations, ...problems },
      },
      preValidation: emptyBodyIsObject,
    },
    async (request, reply) => {
      const { name, password, display_name: displayName } = request.body;
      const session = await core.vapp.signup({ name, password, displayName, ipAddress: request.ip });
      return reply.code(201).send(await withConversations(session));
    },
  );

  app.post(
    '/login',
    {
      config: none,
      schema: {
        tags,
        summary: 'Log in; answers the user, a Vonage user token and everyone else',
        description: 'Wrong password and unknown user give the same 403 auth:unauthorized. Counted with every other login route (429 system:ratelimit).',
        body: S.LoginBody,
        response: { 200: S.SessionWithConversations, ...problems },
      },
      preValidation: emptyBodyIsObject,
    },
    async (request) => {
      const { name, password, code } = request.body;
      return withConversations(await core.vapp.login({ name, password, code, ipAddress: request.ip }));
    },
  );

  app.post(
    '/token',
    {
      config: none,
      schema: { tags, summary: 'A fresh Vonage user token (they last one hour)', body: S.LoginBody, response: { 200: S.TokenAnswer, ...problems } },
      preValidation: emptyBodyIsObject,
    },
    async (request) => {
      const { name, password, code } = request.body;
      return { token: await core.vapp.refreshToken({ name, password, code, ipAddress: request.ip }) };
    },
  );

  app.get(
    '/users',
    {
      schema: { tags, summary: 'Every other user, whichever API made them (at most 1000, by id)', response: { 200: S.UserList, ...problems } },
      config: vapp,
    },
    async (request) => (await core.vapp.directory(request.vappUser)).map((u) => presentVappUser(u, publicBase)),
  );

  app.post(
    '/users/image',
    {
      schema: {
        tags,
        summary: 'Set the caller’s image: multipart/form-data with one file field "image"',
        description: 'The image becomes the caller’s newest photo (natively too) and, with Vonage configured, the Vonage user’s image_url.',
        response: { 200: S.ImageAnswer, ...problems },
      },
      config: vapp,
    },
    async (request) => withImage(request, (body) => core.vapp.setUserImage(request.vappUser, body)),
  );

  app.post(
    '/image',
    {
      schema: {
        tags,
        summary: 'Multipart (one file field "image"): store an image for Client SDK messages. JSON {image_url}: set the caller’s image to that URL',
        description:
          'The JSON form is the original backend’s: the URL (absolute http or https) becomes the caller’s V-app image_url, and the Vonage user’s when configured; a missing image_url is 400 data:validation.',
        response: { 200: S.ImageAnswer, ...problems },
      },
      config: vapp,
    },
    async (request) => {
      if (request.isMultipart()) return withImage(request, (body) => core.vapp.storeImage(request.vappUser, body));
      return { image_url: await core.vapp.setImageUrl(request.vappUser, imageUrlOf(request.body)) };
    },
  );
}
