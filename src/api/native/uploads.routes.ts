/**
 * The native FILES API: `POST /uploads` streams a body to storage, `GET /uploads/<name>`
 * serves it back. Files are capability URLs (no token to read); serving headers make sure
 * an upload can never act as a page on our origin.
 */
import type { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../../errors.js';
import { matchesEtag, parseByteRange } from './byte-range.js';
import { API_PREFIX, type NativeOptions } from './options.js';
import { presentUpload } from './media.presenters.js';
import { FileParams, UploadAnswer, UploadHeaders } from './media.schemas.js';
import { problem, sendProblem } from './problem.js';

const tags = ['files'];
/** A name the server chose (a UUID) is never reused, so caches may keep it for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** A client-chosen name is freed when its upload is deleted and may come back with new bytes. */
const REVALIDATE = 'public, max-age=3600, must-revalidate';
const UUID_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}[.-]/i;
// Even if a browser is tricked into opening an upload, it runs nothing and loads nothing.
const FILE_CSP = "default-src 'none'; sandbox";

/** The client's Content-Type, kept aside: Fastify refuses bare extensions such as `png`. */
const declaredTypes = new WeakMap<object, string | undefined>();

const headerText = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(', ') : value);

export async function uploadsRoutes(parent: FastifyInstance, { core, publicUrl }: NativeOptions) {
  // Upload bodies are files: this scope drops the JSON parsers (and their 64 KB limit) and
  // hands every body on unread, whatever its type; the media service streams it to storage
  // under UPLOAD_MAX_BYTES.
  const underApi = parent.prefix === API_PREFIX;
  await parent.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.addHook('onRequest', async (request) => {
      declaredTypes.set(request.raw, headerText(request.headers['content-type']));
      request.raw.headers['content-type'] = 'application/octet-stream';
    });
    // An answer sent before the body was read (401, 413, 415…) closes the connection, so
    // the server does not go on reading a body nobody will use.
    scope.addHook('onSend', async (request, reply) => {
      if (reply.statusCode >= 400 && !request.raw.complete) reply.header('connection', 'close');
    });

    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/uploads',
      {
        schema: {
          tags,
          summary: 'Upload a file as the raw request body (streamed)',
          description:
            'Answers {name, url}. 413 past UPLOAD_MAX_BYTES, 415 when the bytes contradict Content-Type, 409 when File-Name is taken, ' +
            '422 for an image that cannot be decoded or has too many pixels. Images also get <name>-preview.jpeg.',
          headers: UploadHeaders,
          response: { 200: UploadAnswer },
        },
        config: { auth: 'session' },
      },
      async (request, reply) => {
        const length = request.headers['content-length'];
        const media = await core.media.upload(request.auth.user.id, {
          fileName: headerText(request.headers['file-name']),
          declaredType: declaredTypes.get(request.raw),
          declaredLength: length === undefined ? undefined : Number(length),
          body: request.body as Readable,
        });
        const answer = presentUpload(media, publicUrl);
        // Under upstream's prefix, upstream's answer: the bare stored name as text, which its web
        // app takes from responseText (Public/app/js/api.js:668-671). The root keeps the seed's {name, url}.
        if (underApi) return (reply as FastifyReply).type('text/plain; charset=utf-8').send(answer.name);
        return answer;
      },
    );
  });

  // `/files/<name>` is the same file: upstream's FILES document and web app build links so.
  for (const url of ['/uploads/:file', '/files/:file']) serveFile(parent, url, core);
}

/** GET/HEAD of one stored file at `url` (a `:file` parameter). */
function serveFile(parent: FastifyInstance, url: string, core: NativeOptions['core']) {
  parent.withTypeProvider<TypeBoxTypeProvider>().route({
    method: ['GET', 'HEAD'],
    url,
    config: { auth: 'none' },
    schema: {
      tags,
      summary: 'Download an upload or its preview (no token: the URL is the capability)',
      description: 'Supports ETag / If-None-Match (304) and single byte ranges (206, 416).',
      params: FileParams,
    },
    handler: async (request, reply) => {
      const file = await core.media.findFile(request.params.file);
      if (!file) throw notFound('File');
      const etag = `"${file.version}"`;
      reply
        .header('etag', etag)
        .header('cache-control', UUID_NAME.test(file.key) ? IMMUTABLE : REVALIDATE)
        .header('accept-ranges', 'bytes')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', FILE_CSP)
        .header('content-disposition', file.inline ? 'inline' : `attachment; filename="${file.key}"`);
      if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();

      const range = ifRangeHolds(request, etag) ? parseByteRange(request.headers.range, file.size) : { kind: 'none' as const };
      if (range.kind === 'unsatisfiable') {
        reply.header('content-range', `bytes */${file.size}`);
        return sendProblem(reply, problem(416, 'range_not_satisfiable', `The file has ${file.size} bytes.`));
      }
      reply.type(file.mime);
      const [start, end] = range.kind === 'range' ? [range.start, range.end] : [0, file.size - 1];
      if (range.kind === 'range') reply.code(206).header('content-range', `bytes ${start}-${end}/${file.size}`);
      reply.header('content-length', String(end - start + 1));
      if (request.method === 'HEAD') return reply.send();
      return reply.send(core.media.readFile(file.key, range.kind === 'range' ? range : undefined));
    },
  });
}

/** `If-Range` with another validator means "the whole file, it changed". */
function ifRangeHolds(request: FastifyRequest, etag: string): boolean {
  const ifRange = request.headers['if-range'];
  return ifRange === undefined || ifRange === etag;
}
