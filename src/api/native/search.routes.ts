/** The native search routes: the caller's messages and chats by full-text query (issue 20). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Core } from '../../core/index.js';
import { invalid } from '../../errors.js';
import { presentChat, presentMessage } from './chats.presenters.js';
import * as S from './search.schemas.js';
import { pageOf, pageUrl, setLinks } from '../../edge/paging.js';

const tags = ['search'];

const session = { auth: 'session' } as const;

/** Epoch ms of an RFC 3339 time from the query string (the schema checked its format). */
function timeOf(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid([{ name, reason: 'must be a date-time' }]);
  return ms;
}

export async function searchRoutes(parent: FastifyInstance, { core, publicUrl }: { core: Core; publicUrl: string }) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/search/messages',
    {
      config: session,
      schema: { tags, summary: 'Search the messages the caller may see', querystring: S.MessageSearchQuery, response: { 200: S.MessageSearchPage } },
    },
    async (req, reply) => {
      const { after, before, ...rest } = req.query;
      const page = await core.search.searchMessages(req.auth.user, { ...rest, after: timeOf('after', after), before: timeOf('before', before) });
      // The body's own nextCursor (the seed of this route) is also the next page's Link.
      if (page.nextCursor) setLinks(reply, [{ rel: 'next', url: pageUrl(req, page.nextCursor) }]);
      return { ...page, results: page.results.map((r) => ({ ...r, message: presentMessage(r.message, publicUrl, req.auth.user.id) })) };
    },
  );

  app.get(
    '/search/chats',
    {
      config: session,
      schema: { tags, summary: 'Search the caller’s chats by title and member names', querystring: S.ChatSearchQuery, response: { 200: S.ChatSearchResults } },
    },
    async (req, reply) =>
      pageOf(req, reply, await core.search.searchChats(req.auth.user, req.query.q), {
        list: 'chat-search',
        key: (v) => [-v.chat.lastActivityAt, v.chat.id],
        shape: ['number', 'string'],
        query: req.query,
      }).map((view) => presentChat(view, publicUrl)),
  );
}
