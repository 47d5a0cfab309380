/**
 * Paging of message lists (edge/paging.ts): a chat's history both ways, and the caller's
 * mentions. A history cursor holds the direction and the id (UUID) of the message to go on
 * from; `rel="next"` goes back in time (older), `rel="prev"` forward (newer). Pages are newest
 * first either way, as the seed's history is.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core/index.js';
import type { MessageView, Profile } from '../../ports/events.js';
import { decodeCursor, encodeCursor, pageUrl, setLinks } from '../../edge/paging.js';
import { invalid } from '../../errors.js';

const REPLACED = ['before', 'after', 'cursor'];
type Direction = 'older' | 'newer';

/** The history page the query asks for, with its `Link` header set. */
export async function historyPage(
  core: Core,
  request: FastifyRequest,
  reply: FastifyReply,
  actor: Profile,
  chatId: string,
  query: { count: number; before?: string | undefined; after?: string | undefined; cursor?: string | undefined },
): Promise<MessageView[]> {
  const position = decodeCursor('messages', query.cursor, ['string', 'string']);
  if (position && position[0] !== 'older' && position[0] !== 'newer') throw invalid([{ name: 'cursor', reason: 'is not a cursor of messages' }]);
  if (query.before !== undefined && query.after !== undefined) throw invalid([{ name: 'after', reason: 'cannot be given with before' }]);
  const direction: Direction = position ? (position[0] as Direction) : query.after !== undefined ? 'newer' : 'older';
  const from = position ? String(position[1]) : direction === 'newer' ? query.after : query.before;
  const views =
    direction === 'newer'
      ? await core.messages.listMessagesAfter(actor, chatId, query.count, from!)
      : await core.messages.listMessages(actor, chatId, query.count, from);
  const full = views.length >= query.count;
  const link = (to: Direction, view: MessageView | undefined) =>
    view
      ? [{ rel: to === 'older' ? ('next' as const) : ('prev' as const), url: pageUrl(request, encodeCursor('messages', [to, view.message.uuid]), REPLACED) }]
      : [];
  // Older ones follow a full page back, and any page forward; newer ones precede a page back from somewhere, and a full page forward.
  const older = direction === 'older' ? full : true;
  const newer = direction === 'older' ? from !== undefined : full;
  setLinks(reply, [...(older ? link('older', views.at(-1)) : []), ...(newer ? link('newer', views[0]) : [])]);
  return views;
}

/** The caller's mentions page, newest first, `Link: rel="next"` after a full page. */
export async function mentionsPage(
  core: Core,
  request: FastifyRequest,
  reply: FastifyReply,
  actor: Profile,
  query: { count: number; before?: string | undefined; cursor?: string | undefined },
): Promise<MessageView[]> {
  const position = decodeCursor('mentions', query.cursor, ['string']);
  const views = await core.messages.listMentions(actor, query.count, position ? String(position[0]) : query.before);
  const last = views.at(-1);
  if (last && views.length >= query.count) setLinks(reply, [{ rel: 'next', url: pageUrl(request, encodeCursor('mentions', [last.message.uuid]), REPLACED) }]);
  return views;
}

/**
 * A page of a message's thread, newest first, `Link: rel="next"` (older replies) after a full
 * page. The cursor holds the root's id and the last reply's, so it only pages its own thread.
 */
export async function threadPage(
  core: Core,
  request: FastifyRequest,
  reply: FastifyReply,
  actor: Profile,
  chatId: string,
  rootId: string,
  query: { count: number; before?: string | undefined; cursor?: string | undefined },
): Promise<MessageView[]> {
  const position = decodeCursor('thread', query.cursor, ['string', 'string']);
  if (position && String(position[0]) !== rootId.toLowerCase()) throw invalid([{ name: 'cursor', reason: 'is a cursor of another thread' }]);
  const views = await core.threads.listThread(actor, chatId, rootId, query.count, position ? String(position[1]) : query.before);
  const last = views.at(-1);
  if (last && views.length >= query.count) {
    setLinks(reply, [{ rel: 'next', url: pageUrl(request, encodeCursor('thread', [rootId.toLowerCase(), last.message.uuid]), REPLACED) }]);
  }
  return views;
}
