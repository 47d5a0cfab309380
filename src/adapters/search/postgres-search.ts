/**
 * The search index on PostgreSQL: the `search_doc` tsvector of each message (GIN-indexed,
 * set by a trigger in the writing transaction, migration 0010) matched with `to_tsquery`.
 * Relevance is `ts_rank(…, 1)`, which reads only the message's own vector, so pages stay
 * stable while others send.
 */
import type pg from 'pg';
import type { ChatDocument, MessageHit, SearchIndex } from '../../ports/search-index.js';
import type { Selectable } from 'kysely';
import { toMessage } from '../store/messages.repository.js';
import type { MessagesTable } from '../store/schema.js';
import { tsQuery } from './match-expression.js';

export interface PostgresSearchOptions {
  /** Messages indexed per catch-up statement (default 2000): the longest a send may wait on a row. */
  batchSize?: number;
}

/** A hit: the message's columns and its score. */
type MessageRow = Selectable<MessagesTable> & { score: number };

const COLUMNS =
  'm.id, m.uuid, m.chat_id, m.seq, m.author_id, m.local_id, m.text, m.is_visible, m.file_exists, m.preview_exists, m.created_at, m.updated_at, m.edited_at, m.deleted_at, m.reply_to_id, m.thread_id, m.has_thread, m.deleted_by';

/** The search index over the store's pool (its search_path names the schema). */
export function createPostgresSearchIndex(pool: pg.Pool, options: PostgresSearchOptions = {}): SearchIndex {
  const batchSize = options.batchSize ?? 2000;
  return {
    async searchMessages(search): Promise<MessageHit[]> {
      const params: unknown[] = [search.userId, tsQuery(search.query)];
      const p = (value: unknown) => `$${params.push(value)}`;
      const where = [
        'me.user_id = $1',
        'me.is_member = 1',
        'm.search_doc @@ q.q',
        'm.deleted_at is null',
        'm.created_at >= me.added_at',
        '(me.removed_at is null or m.created_at < me.removed_at)',
      ];
      if (search.chatId !== undefined) where.push(`m.chat_id = ${p(search.chatId)}`);
      if (search.authorId !== undefined) where.push(`m.author_id = ${p(search.authorId)}`);
      if (search.after !== undefined) where.push(`m.created_at > ${p(search.after)}`);
      if (search.before !== undefined) where.push(`m.created_at < ${p(search.before)}`);
      const score = '(ts_rank(m.search_doc, q.q, 1) * 1000000)::bigint';
      if (search.from && search.sort === 'recent') where.push(`m.id < ${p(search.from.id)}`);
      else if (search.from) where.push(`(${score}, m.id) < (${p(search.from.score)}::bigint, ${p(search.from.id)}::bigint)`);
      const order = search.sort === 'recent' ? 'm.id desc' : 'score desc, m.id desc';
      const { rows } = await pool.query<MessageRow>(
        `select ${COLUMNS}, ${score} as score
         from (select to_tsquery('simple', parley_search_fold($2)) as q) q, chat_members me
         join messages m on m.chat_id = me.chat_id
         where ${where.join(' and ')}
         order by ${order} limit ${p(search.limit)}`,
        params,
      );
      return rows.map((r) => ({ message: toMessage(r), score: Number(r.score) }));
    },
    async chatDocuments(userId): Promise<ChatDocument[]> {
      const { rows } = await pool.query<{ id: string; title: string | null; last_activity_at: number; names: string | null }>(
        `select c.id, c.title, c.last_activity_at, string_agg(u.display_name || ' ' || u.username, E'\\n') as names
         from chat_members me
         join chats c on c.id = me.chat_id
         left join chat_members o on o.chat_id = c.id and o.is_member = 1 and o.user_id != me.user_id
         left join users u on u.id = o.user_id
         where me.user_id = $1 and me.is_member = 1
         group by c.id`,
        [userId],
      );
      return rows.map((r) => ({
        chatId: r.id,
        title: r.title,
        lastActivityAt: Number(r.last_activity_at),
        memberNames: r.names ? String(r.names).split('\n') : [],
      }));
    },
    async catchUp() {
      let indexed = 0;
      for (;;) {
        const { rows } = await pool.query<{ value: string }>(`select value from settings where key = 'search.backfill'`);
        if (rows.length === 0) return { indexed };
        const { through, done } = JSON.parse(rows[0]!.value) as { through: number; done: number };
        if (done >= through) return { indexed };
        const next = Math.min(done + batchSize, through);
        // Each batch is its own short statement: row locks on at most `batchSize` messages.
        const result = await pool.query(
          'update messages set search_doc = parley_search_doc(text) where id > $1 and id <= $2 and deleted_at is null and search_doc is null',
          [done, next],
        );
        indexed += result.rowCount ?? 0;
        await pool.query(`update settings set value = $1 where key = 'search.backfill'`, [JSON.stringify({ through, done: next })]);
      }
    },
  };
}
