/**
 * Message and chat search. Visibility is the history's: only chats the caller is a current
 * member of, and of those only messages sent while they were a member (from joining, until
 * leaving), never deleted ones. The index (a port) does the matching and ranking; this
 * service parses the query, pages with opaque cursors and marks the matched words.
 */
import { createHash } from 'node:crypto';
import { AppError, invalid } from '../errors.js';
import type { ChatView, MessageView, Profile } from '../ports/events.js';
import type { SearchIndex, SearchPosition } from '../ports/search-index.js';
import type { Store } from '../ports/store.js';
import { buildChatView, buildMessageViews } from './chat-views.js';
import { highlight, matchesText, parseQuery, tokenize, type HighlightSegment, type ParsedQuery } from './search-query.js';

/** The largest page of message results, and the page a client gets when it does not say. */
export const SEARCH_LIMIT_MAX = 50;
export const SEARCH_LIMIT_DEFAULT = 20;
/** At most this many chats come back from a chat search. */
export const CHAT_SEARCH_MAX = 20;

export interface MessageSearchInput {
  q: string;
  chatId?: string | undefined;
  /** Only messages by this user. */
  from?: number | undefined;
  /** Sent strictly after / before (epoch ms). */
  after?: number | undefined;
  before?: number | undefined;
  limit: number;
  cursor?: string | undefined;
  sort: 'relevance' | 'recent';
}

export interface MessageSearchResult {
  message: MessageView;
  chatId: string;
  highlight: HighlightSegment[];
}

export interface MessageSearchPage {
  results: MessageSearchResult[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export type SearchService = ReturnType<typeof createSearchService>;

/** Ties a cursor to the search that made it: another query, filter or order refuses it. */
function fingerprint(input: MessageSearchInput): string {
  const { q, chatId, from, after, before, sort } = input;
  return createHash('sha256')
    .update(JSON.stringify([q, chatId, from, after, before, sort]))
    .digest('base64url')
    .slice(0, 12);
}

const badCursor = () => invalid([{ name: 'cursor', reason: 'is not a cursor of this search' }]);

function encodeCursor(position: SearchPosition, key: string): string {
  return Buffer.from(JSON.stringify({ s: position.score, i: position.id, k: key })).toString('base64url');
}

function decodeCursor(cursor: string, key: string): SearchPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  const { s, i, k } = (parsed ?? {}) as { s?: unknown; i?: unknown; k?: unknown };
  if (k !== key || !Number.isSafeInteger(s) || !Number.isSafeInteger(i)) throw badCursor();
  return { score: s as number, id: i as number };
}

export function createSearchService(deps: { store: Store; index: SearchIndex | undefined }) {
  const { store } = deps;

  function requireIndex(): SearchIndex {
    if (!deps.index) throw new AppError('internal', 'Search is not available here.');
    return deps.index;
  }

  /** The query, or 400 when it is malformed; `empty` when it has nothing left to look for. */
  function parse(q: string): ParsedQuery {
    return parseQuery(q);
  }

  return {
    /** One page of the caller's messages matching `q`, best first (or newest first with `sort: 'recent'`). */
    async searchMessages(actor: Profile, input: MessageSearchInput): Promise<MessageSearchPage> {
      const index = requireIndex();
      const query = parse(input.q);
      const key = fingerprint(input);
      const from = input.cursor === undefined ? undefined : decodeCursor(input.cursor, key);
      if (query.empty) return { results: [], nextCursor: null };
      const limit = Math.min(Math.max(input.limit, 1), SEARCH_LIMIT_MAX);
      const hits = await index.searchMessages({
        userId: actor.id,
        query,
        chatId: input.chatId,
        authorId: input.from,
        after: input.after,
        before: input.before,
        sort: input.sort,
        from,
        limit: limit + 1,
      });
      const page = hits.slice(0, limit);
      // Views are built per chat (read marks and authors are per chat), then put back in rank order.
      const byChat = new Map<string, typeof page>();
      for (const hit of page) byChat.set(hit.message.chatId, [...(byChat.get(hit.message.chatId) ?? []), hit]);
      const views = new Map<number, MessageView>();
      for (const [chatId, chatHits] of byChat) {
        for (const view of await buildMessageViews(
          store,
          chatId,
          chatHits.map((h) => h.message),
        ))
          views.set(view.message.id, view);
      }
      const results = page.map((hit) => ({ message: views.get(hit.message.id)!, chatId: hit.message.chatId, highlight: highlight(hit.message.text, query) }));
      const last = page[page.length - 1];
      return { results, nextCursor: hits.length > limit && last ? encodeCursor({ score: last.score, id: last.message.id }, key) : null };
    },

    /**
     * The caller's chats whose title or current members' names match `q` (words and
     * prefixes, folded): title matches first, then by latest activity.
     */
    async searchChats(actor: Profile, q: string): Promise<ChatView[]> {
      const index = requireIndex();
      const query = parse(q);
      if (query.empty) return [];
      const documents = await index.chatDocuments(actor.id);
      const ranked = documents
        .map((doc) => {
          const title = doc.title ?? '';
          const inTitle = query.include.every((t) => matchesText(title, { include: [t], exclude: [] }));
          return { doc, inTitle, matches: matchesText(`${title}\n${doc.memberNames.join('\n')}`, query) };
        })
        .filter((r) => r.matches && tokenize(r.doc.title ?? '').length + r.doc.memberNames.length > 0)
        .sort((a, b) => Number(b.inTitle) - Number(a.inTitle) || b.doc.lastActivityAt - a.doc.lastActivityAt)
        .slice(0, CHAT_SEARCH_MAX);
      const views: ChatView[] = [];
      for (const { doc } of ranked) {
        const [chat, member] = await Promise.all([store.chats.findById(doc.chatId), store.chats.findMember(doc.chatId, actor.id)]);
        if (chat && member?.isMember) views.push(await buildChatView(store, chat, member, { withMembers: false }));
      }
      return views;
    },

    /** Indexes the messages older than the index, in batches; resolves with how many. */
    catchUp: () => requireIndex().catchUp(),
  };
}
