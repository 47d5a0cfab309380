/**
 * Event-log ordering on PostgreSQL without a global lock (see docs/scaling.md, "Ordering").
 *
 * Event ids come from the `events` identity sequence, taken at insert time, so a writer that
 * took id 10 may commit after one that took 11. A reader that replayed 11 and handed out
 * cursor 11 would then never show 10. Instead of serialising all writers on one lock (what
 * this replaced), each writer announces a lower bound of the ids it is about to take, and a
 * reader only reads up to the point below which no writer is still in flight:
 *
 * - A writer, in the same statement as each event insert and before the insert draws its id,
 *   takes a transaction-scoped *shared* advisory lock keyed `(schema key, L)`, where L is the
 *   highest id the sequence had issued just before: every id it draws later is above L. Shared locks
 *   never wait for each other, so writers of different chats do not queue. PostgreSQL drops
 *   the lock after the commit is visible (or at rollback, or when the connection dies).
 * - A reader reads the highest issued id S first, then the smallest L among the held
 *   locks. The watermark is W = min(S, smallest L). Every id ≤ W is final: a writer that held
 *   its lock when the reader looked draws ids above its L ≥ W; a writer that locked after the
 *   reader looked draws its ids after S was read, so above S ≥ W; a writer that had finished
 *   has its commit visible to the reader's next statement.
 * - Replay waits (briefly: writers' transactions are short) until W covers the newest visible
 *   id, then reads only ids ≤ W. So an event committed before a socket subscribed is replayed,
 *   and one committed after is delivered live; none is skipped by a later cursor.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The advisory-lock class of this schema's event log (`classid` in pg_locks), non-negative. */
const LOCK_CLASS = sql<number>`(hashtext('parley.event_log:' || coalesce(current_schema(), '')) & 2147483647)`;

/**
 * The highest id the sequence has handed out (`last_value` is the next one while `is_called`
 * is false, on a fresh sequence).
 */
const ISSUED = sql<number>`(select last_value - (not is_called)::int from events_id_seq)`;

/** How long replay waits for writers with lower ids to finish before it fails (the client retries). */
const MAX_WAIT_MS = 10_000;

/**
 * Inserts one event row on PostgreSQL behind its writer's fence (above) and returns its id.
 * The fence is a MATERIALIZED CTE scanned by the INSERT's source, so it runs before the row's
 * `id` default (nextval) is computed.
 */
export async function insertFencedEvent(
  db: Kysely<Database>,
  row: { payload: string; chat_id: string | null; message_id: number | null; for_members: number; created_at: number },
): Promise<number> {
  const result = await sql<{ id: number }>`
    with fence as materialized (
      select pg_advisory_xact_lock_shared(${LOCK_CLASS}, ${ISSUED}::int4)
    )
    insert into events (payload, chat_id, message_id, for_members, created_at)
    select ${row.payload}, ${row.chat_id}, ${row.message_id}, ${row.for_members}, ${row.created_at} from fence
    returning id`.execute(db);
  return Number(result.rows[0]!.id);
}

/** One reading of the watermark: every event id at or below it is committed or will never exist. */
async function watermark(db: Kysely<Database>): Promise<number> {
  // Two statements, in this order (see above): the sequence, then the locks.
  const seq = await sql<{ s: number }>`select ${ISSUED} as s`.execute(db);
  const locks = await sql<{ l: number | null }>`
    select min(objid::text::bigint) as l from pg_locks
    where locktype = 'advisory' and granted and objsubid = 2
      and database = (select oid from pg_database where datname = current_database())
      and classid = ${LOCK_CLASS}::oid`.execute(db);
  const s = Number(seq.rows[0]?.s ?? 0);
  const l = locks.rows[0]?.l;
  return l === null || l === undefined ? s : Math.min(s, Number(l));
}

/**
 * The highest id up to which replay may read: at least every id visible now, once the
 * writers holding lower ones have finished. Polls with a short backoff; throws after
 * MAX_WAIT_MS (a writer stuck that long holds a lock PostgreSQL has not yet released).
 */
export async function stableThrough(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select(({ fn }) => fn.max('id').as('id'))
    .executeTakeFirst();
  const visible = Number(row?.id ?? 0);
  const started = Date.now();
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    const through = await watermark(db);
    if (through >= visible) return through;
    if (Date.now() - started > MAX_WAIT_MS) throw new Error(`event log: writers below id ${visible} still in flight after ${MAX_WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
