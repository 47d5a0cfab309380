/**
 * Default avatars: a user without a photo gets `image_url` pointing here instead of null
 * (the V-app web client reads `image_url.includes(...)` and breaks on null). The route
 * draws the user's initials on a colour taken from the name, as an SVG; it is public,
 * like the uploads the other image URLs point to, and shows nothing the directory hides.
 */
import { createHash } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

/** The avatar route's path under the family prefix. */
export const AVATAR_PATH = '/avatars';

/** The default avatar's absolute URL for `username` (`base` is PUBLIC_URL plus the V-app prefix). */
export function avatarUrl(base: string, username: string): string {
  return `${base}${AVATAR_PATH}/${encodeURIComponent(username)}.svg`;
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Up to two initials: the first letters of the first two parts of the name split at ".", "_" or "-". */
function initials(name: string): string {
  const parts = name.split(/[._-]+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0]![0], parts[1]![0]] : [...(parts[0] ?? '?')].slice(0, 2);
  return letters.join('').toUpperCase();
}

/** A 96×96 SVG with the name's initials; the hue comes from the name, so it is stable. */
export function avatarSvg(name: string): string {
  const hue = createHash('sha256').update(name).digest().readUInt16BE(0) % 360;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">` +
    `<rect width="96" height="96" fill="hsl(${hue},45%,45%)"/>` +
    `<text x="48" y="48" dy=".35em" text-anchor="middle" font-family="sans-serif" font-size="40" fill="#fff">${escapeXml(initials(name))}</text></svg>`
  );
}

/** `GET /avatars/<name>.svg`: any name gets an avatar (no lookup, so no account enumeration). */
export async function avatarRoutes(parent: FastifyInstance) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    `${AVATAR_PATH}/:file`,
    {
      config: { auth: 'none' },
      schema: {
        tags: ['vapp'],
        summary: 'A default avatar (SVG with initials) for users without a photo',
        params: Type.Object({ file: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}\\.svg$' }) }),
      },
    },
    async (request, reply) => {
      const name = request.params.file.slice(0, -'.svg'.length);
      return reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(avatarSvg(name));
    },
  );
}
