/**
 * The search index on the embedded store: FTS5 table `messages_fts`, kept in step by
 * triggers (migration 0010). A query names the caller's chats in the MATCH expression (the
 * `chat` column), so the index returns only their matches. Queries run on a connection of their own to the same file, so
 * they read committed data only and never sit inside a transaction of the store's
 * connection; WAL lets them run beside the writer.
 */
import SqliteDatabase from 'better-sqlite3';
import type { ChatDocument, MessageHit, MessageSearch, SearchIndex, SearchTerm } from '../../ports/search-index.js';
import type { Selectable } from 'kysely';
import { toMessage } from '../store/messages.repository.js';
import type { MessagesTable } from '../store/schema.js';
import { fts5Match } from './match-expression.js';
import { textScore } from './text-score.js';

/** Up to this many matching messages, a query filters by join rather than naming chats in MATCH (measured crossover near 2,000). */
const NARROW_MATCHES = 2000;
/** A caller in more chats than this is always filtered by join: the OR over their chats would cost more. */
const MAX_CHATS_IN_MATCH = 500;

export interface SqliteSearchOptions {
  /** Messages indexed per catch-up transaction (default 2000): the longest a send may wait. */
  batchSize?: number;
  /** Up to how many estimated matches a query filters by join (default 2000; tests set 0 or more to pick a plan). */
  narrowMatches?: number;
}

/** A hit: the message's columns and its score. */
type MessageRow = Selectable<MessagesTable> & { score: number };

/** Registers the scoring function; the terms arrive as JSON, parsed once per query. */
function registerScore(connection: SqliteDatabase.Database): void {
  let lastJson = '';
  let lastTerms: SearchTerm[] = [];
  connection.function('parley_search_score', { deterministic: true }, (text: unknown, termsJson: unknown) => {
    if (termsJson !== lastJson) {
      lastJson = String(termsJson);
      lastTerms = JSON.parse(lastJson) as SearchTerm[];
    }
    return textScore(String(text), lastTerms);
  });
}

/** Opens the search index on the store's file `file` (already migrated). */
export function openSqliteSearchIndex(file: string, options: SqliteSearchOptions = {}): SearchIndex & { close(): void } {
  const connection = new SqliteDatabase(file);
  connection.pragma('busy_timeout = 5000');
  registerScore(connection);
  const batchSize = options.batchSize ?? 2000;
  const narrowMatches = options.narrowMatches ?? NARROW_MATCHES;

  const documents = connection.prepare<[number], { id: string; title: string | null; last_activity_at: number; names: string | null }>(`
    select c.id, c.title, c.last_activity_at, group_concat(u.display_name || ' ' || u.username, char(10)) as names
    from chat_members me
    join chats c on c.id = me.chat_id
    left join chat_members o on o.chat_id = c.id and o.is_member = 1 and o.user_id != me.user_id
    left join users u on u.id = o.user_id
    where me.user_id = ? and me.is_member = 1
    group by c.id`);

  const memberChats = connection.prepare<[number], { chat_id: string }>('select chat_id from chat_members where user_id = ? and is_member = 1');
  const termCount = connection.prepare<[string], { doc: number }>('select doc from messages_fts_terms where term = ?');

  /**
   * At most how many messages match `query`: the rarest include word's count. Prefixes count
   * as many; so does a query with none of its words in the index (it then matches nothing fast).
   */
  function estimate(query: MessageSearch['query']): number {
    let fewest = Number.POSITIVE_INFINITY;
    for (const term of query.include) {
      term.tokens.forEach((token, i) => {
        if (term.prefix && i === term.tokens.length - 1) return;
        fewest = Math.min(fewest, termCount.get(token)?.doc ?? 0);
      });
    }
    return fewest;
  }

  function searchMessages(search: MessageSearch): MessageHit[] {
    const chatIds = memberChats
      .all(search.userId)
      .map((r) => r.chat_id)
      .filter((id) => search.chatId === undefined || id === search.chatId);
    if (chatIds.length === 0) return [];
    // Two plans: few matches are cheapest fetched and filtered by join; many are cheaper to
    // keep to the caller's chats inside the index (the OR over chat tokens has a fixed cost).
    const narrow = estimate(search.query) <= narrowMatches || chatIds.length > MAX_CHATS_IN_MATCH;
    const where: string[] = [
      'messages_fts match ?',
      'm.deleted_at is null',
      'm.created_at >= me.added_at',
      '(me.removed_at is null or m.created_at < me.removed_at)',
    ];
    const terms = JSON.stringify(search.query.include);
    const params: unknown[] = [terms, search.userId, fts5Match(search.query, narrow ? undefined : chatIds)];
    if (search.chatId !== undefined) where.push('m.chat_id = ?'), params.push(search.chatId);
    if (search.authorId !== undefined) where.push('m.author_id = ?'), params.push(search.authorId);
    if (search.after !== undefined) where.push('m.created_at > ?'), params.push(search.after);
    if (search.before !== undefined) where.push('m.created_at < ?'), params.push(search.before);
    const order = search.sort === 'recent' ? 'm.id desc' : 'score desc, m.id desc';
    if (search.from && search.sort === 'recent') where.push('m.id < ?'), params.push(search.from.id);
    else if (search.from) where.push('(score < ? or (score = ? and m.id < ?))'), params.push(search.from.score, search.from.score, search.from.id);
    params.push(search.limit);
    // FTS5 drives: the matches in the caller's chats, then each message and membership by key.
    const rows = connection
      .prepare(`
        select m.*, parley_search_score(m.text, ?) as score
        from messages_fts f
        join messages m on m.id = f.rowid
        join chat_members me on me.chat_id = m.chat_id and me.user_id = ? and me.is_member = 1
        where ${where.join(' and ')}
        order by ${order} limit ?`)
      .all(...params) as MessageRow[];
    return rows.map((r) => ({ message: toMessage(r), score: r.score }));
  }

  /** One batch of the catch-up: re-indexes ids in (done, next]; a message the triggers indexed meanwhile is replaced, not doubled. */
  const batch = connection.transaction((done: number, next: number, through: number) => {
    connection.prepare('delete from messages_fts where rowid > ? and rowid <= ?').run(done, next);
    const { changes } = connection
      .prepare(
        `insert into messages_fts(rowid, text, chat) select id, text, replace(chat_id, '-', '') from messages where id > ? and id <= ? and deleted_at is null`,
      )
      .run(done, next);
    connection.prepare(`update settings set value = ? where key = 'search.backfill'`).run(JSON.stringify({ through, done: next }));
    return changes;
  });

  return {
    async searchMessages(search) {
      return searchMessages(search);
    },
    async chatDocuments(userId): Promise<ChatDocument[]> {
      return documents
        .all(userId)
        .map((r) => ({ chatId: r.id, title: r.title, lastActivityAt: r.last_activity_at, memberNames: r.names ? r.names.split('\n') : [] }));
    },
    async catchUp() {
      let indexed = 0;
      for (;;) {
        const row = connection.prepare(`select value from settings where key = 'search.backfill'`).get() as { value: string } | undefined;
        if (!row) return { indexed };
        const { through, done } = JSON.parse(row.value) as { through: number; done: number };
        if (done >= through) return { indexed };
        indexed += Number(batch(done, Math.min(done + batchSize, through), through));
        // Between batches, the event loop serves requests (and the store's writes).
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    close: () => connection.close(),
  };
}
