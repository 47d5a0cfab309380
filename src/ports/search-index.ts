/**
 * The search index port: full-text look-up of chat messages and the documents chat search
 * matches against. Core parses the query language (`core/search-query.ts`) and hands the
 * adapter folded terms; the adapter (SQLite FTS5, PostgreSQL tsvector) keeps its index in
 * step with the messages table inside the writing transaction and answers within the
 * caller's visibility. Times are epoch milliseconds.
 */
import type { MessageRecord } from './chat-records.js';

/**
 * One term of a query, already case- and diacritic-folded into tokens of letters and digits.
 * Several tokens make a phrase (adjacent, in order); `prefix` applies to the last token.
 */
export interface SearchTerm {
  tokens: string[];
  prefix: boolean;
}

/** A message query: every `include` term must match, no `exclude` term may. `include` is never empty. */
export interface MessageQuery {
  include: SearchTerm[];
  exclude: SearchTerm[];
}

/** Where a keyset page starts: after the result with this score and message id. */
export interface SearchPosition {
  score: number;
  id: number;
}

export interface MessageSearch {
  /** Only messages of chats this user is a current member of, sent while a member, not deleted. */
  userId: number;
  query: MessageQuery;
  chatId?: string | undefined;
  authorId?: number | undefined;
  /** Sent strictly after / before (epoch ms). */
  after?: number | undefined;
  before?: number | undefined;
  /** `relevance`: highest score first, newer first among equals; `recent`: newest first. */
  sort: 'relevance' | 'recent';
  /** Results strictly after this position in the chosen order. */
  from?: SearchPosition | undefined;
  limit: number;
}

/**
 * A hit with its score: an integer that depends on the message's own text and the query
 * only (never on the rest of the corpus), so pages stay stable while others send.
 */
export interface MessageHit {
  message: MessageRecord;
  score: number;
}

/** What chat search matches: a chat of the user with its title and current members' names. */
export interface ChatDocument {
  chatId: string;
  title: string | null;
  lastActivityAt: number;
  /** Display names and usernames of the current members other than the user. */
  memberNames: string[];
}

export interface SearchIndex {
  searchMessages(search: MessageSearch): Promise<MessageHit[]>;
  /** Every chat the user is a current member of, for chat search. */
  chatDocuments(userId: number): Promise<ChatDocument[]>;
  /**
   * Indexes the messages that existed before the index did, in short batches, each its own
   * transaction, so that sends wait at most one batch. Resolves when nothing is left.
   */
  catchUp(): Promise<{ indexed: number }>;
}
