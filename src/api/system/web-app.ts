/**
 * The web client at `/app`: the Vite build in `WEB_APP_DIR` served as static files. Hashed
 * assets are cached for good, `index.html` is revalidated each time, and a strict CSP keeps
 * the page to its own scripts and styles (images may come from `PUBLIC_URL`).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { declareAuth } from '../../edge/route-auth.js';
import { notFound } from '../../errors.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface WebAppOptions {
  /** The built app (holds `index.html`). */
  root: string;
  publicUrl: string;
}

/** The page's Content-Security-Policy: own scripts and styles; sockets and images of this server. */
export function webAppCsp(publicUrl: string): string {
  const origin = new URL(publicUrl).origin;
  const wsOrigin = origin.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' ${origin} data: blob:`,
    `connect-src 'self' ${origin} ${wsOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export async function webApp(app: FastifyInstance, { root, publicUrl }: WebAppOptions) {
  // The page and its files are public (the static plugin's routes cannot declare it).
  declareAuth(app, 'none');
  if (!existsSync(path.join(root, 'index.html'))) {
    // Not built (e.g. `tsx src/server.ts` or `npm test` on a fresh clone): say how to get it.
    // The same routes as the built app's (`/app/`, which also answers `/app`, and its files).
    const notBuilt = async () => {
      throw notFound('The web app (run `npm run build` to build it)');
    };
    app.get('/app/', { schema: { hide: true } }, notBuilt);
    app.get('/app/*', { schema: { hide: true } }, notBuilt);
    return;
  }
  const csp = webAppCsp(publicUrl);
  await app.register(fastifyStatic, {
    root,
    prefix: '/app/',
    decorateReply: false,
    schemaHide: true,
    // `/app/` itself is the route below; this serves the files under it.
    index: false,
    setHeaders(reply, file) {
      const hashed = file.startsWith(path.join(root, 'assets') + path.sep);
      reply.header('cache-control', hashed ? IMMUTABLE : 'no-cache').header('x-content-type-options', 'nosniff');
      if (file.endsWith('.html')) reply.header('content-security-policy', csp);
    },
  });
  // Routes ignore a trailing slash, so `/app` and `/app/` are this one route. Without the
  // slash, the page's relative links would miss the folder: redirect there first.
  app.get('/app/', { schema: { hide: true } }, async (request, reply) => {
    if (!request.url.split('?')[0]!.endsWith('/')) return reply.redirect('/app/', 301);
    const html = await readFile(path.join(root, 'index.html'));
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', csp)
      .send(html);
  });
}
