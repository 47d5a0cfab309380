/**
 * One way to page every list: an opaque cursor in `?cursor=`, and the next page's URL in an
 * RFC 8288 `Link: <…>; rel="next"` header, so that list bodies keep the shapes the seeds give
 * (a bare array stays a bare array). A cursor is the sort key of the last item a page held,
 * with the list's name, in base64url JSON: the next page is what sorts after it, so items
 * inserted meanwhile never repeat or push an item off a page (keyset paging, not offsets).
 *
 * A list that loads whole anyway pages in memory with `pageOf`; one the store pages (messages)
 * encodes and decodes its own position with `encodeCursor`/`decodeCursor` and sets `setLinks`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { invalid } from '../errors.js';

/** A sort key: numbers and strings, compared in order. */
export type Position = (string | number)[];
/** The kind of each part of a list's sort key, checked when a cursor comes back. */
export type Shape = ('number' | 'string')[];

/** The `cursor` query parameter of every paged list. */
export const CursorParam = Type.Optional(
  Type.String({ minLength: 1, maxLength: 512, pattern: '^[A-Za-z0-9_-]+$', description: 'Opaque: from the `Link: <…>; rel="next"` header of the page before' }),
);
/** `limit`, for the lists that had none (without `limit` and `cursor` such a list answers whole, as before). */
export const LimitParam = (maximum = 200) =>
  Type.Optional(Type.Integer({ minimum: 1, maximum, description: `Items per page (≤ ${maximum}); with it, or a cursor, the list pages` }));
/** The query fields of a list that had none: `cursor` and `limit`. */
export const PageQuery = (maximum = 200) => Type.Object({ cursor: CursorParam, limit: LimitParam(maximum) });

/** Page size when a cursor comes without a `limit`. */
export const DEFAULT_LIMIT = 50;

const badCursor = (reason: string) => invalid([{ name: 'cursor', reason }], 'The cursor is not one this list gave.');

/** The cursor of `list` at `position`. */
export function encodeCursor(list: string, position: Position): string {
  return Buffer.from(JSON.stringify([list, ...position])).toString('base64url');
}

/** The position in `cursor`, or undefined without one; a 400 for a cursor of another list or a broken one. */
export function decodeCursor(list: string, cursor: string | undefined, shape: Shape): Position | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('is not a cursor');
  }
  if (!Array.isArray(parsed) || parsed[0] !== list) throw badCursor(`is not a cursor of ${list}`);
  const position = parsed.slice(1) as unknown[];
  const fits =
    position.length === shape.length &&
    position.every((part, i) => (shape[i] === 'number' ? Number.isSafeInteger(part) : typeof part === 'string' && part.length <= 200));
  if (!fits) throw badCursor('is not a cursor of this list');
  return position as Position;
}

/** `request`'s own URL with `cursor` set and the parameters a cursor replaces (`drop`) removed: the URL of another page. */
export function pageUrl(request: FastifyRequest, cursor: string, drop: readonly string[] = []): string {
  const url = new URL(request.url, 'http://x');
  for (const name of drop) url.searchParams.delete(name);
  url.searchParams.set('cursor', cursor);
  return `${url.pathname}${url.search}`;
}

/** Sets the `Link` header to the given pages (`next`, `prev`); none when there are none. */
export function setLinks(reply: FastifyReply, links: { rel: 'next' | 'prev'; url: string }[]): void {
  if (links.length > 0) reply.header('link', links.map(({ rel, url }) => `<${url}>; rel="${rel}"`).join(', '));
}

/** Compares two sort keys part by part. */
export function comparePositions(a: Position, b: Position): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export interface PageOptions<T> {
  /** The list's name, inside its cursors (a cursor of another list is refused). */
  list: string;
  /** The item's sort key, ascending in the list's order (negate a number for newest first) and unique (end with an id). */
  key: (item: T) => Position;
  shape: Shape;
  query: { cursor?: string | undefined; limit?: number | undefined };
  /** Query parameters a cursor replaces, dropped from the next page's URL. */
  drop?: readonly string[];
}

/**
 * One page of a list loaded whole: without `cursor` and `limit`, the list as it is (as before
 * paging); else the `limit` items after the cursor's position, with `Link: rel="next"` when
 * more follow.
 *
 * @example
 * return pageOf(req, reply, chats, { list: 'chats', key: (c) => [-c.activityAt, c.id], shape: ['number', 'string'], query: req.query });
 */
export function pageOf<T>(request: FastifyRequest, reply: FastifyReply, items: T[], options: PageOptions<T>): T[] {
  const { cursor, limit } = options.query;
  if (cursor === undefined && limit === undefined) return items;
  const after = decodeCursor(options.list, cursor, options.shape);
  const keyed = items.map((item) => ({ item, key: options.key(item) })).sort((a, b) => comparePositions(a.key, b.key));
  const rest = after ? keyed.filter(({ key }) => comparePositions(key, after) > 0) : keyed;
  const page = rest.slice(0, limit ?? DEFAULT_LIMIT);
  const last = page.at(-1);
  if (last && rest.length > page.length) setLinks(reply, [{ rel: 'next', url: pageUrl(request, encodeCursor(options.list, last.key), options.drop) }]);
  return page.map(({ item }) => item);
}
