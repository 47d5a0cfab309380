/**
 * Migration 0010: the full-text index of messages. It only creates structures, so it is
 * quick on any database; the messages that already exist are indexed afterwards by the
 * search adapter's `catchUp`, in short batches (the key `search.backfill` in `settings`
 * says how far it got). From this migration on, the engine keeps the index in step with
 * every insert, edit and delete inside the writing transaction (triggers).
 *
 * SQLite: an FTS5 table `messages_fts` (rowid = message id, the text and the chat id as a
 * token; tokenizer unicode61 folding case and diacritics; prefix indexes for 2–4 letters). PostgreSQL: a `search_doc` tsvector column
 * with a GIN index, computed by `parley_search_doc(text)`, which folds with `unaccent` when
 * the extension exists or can be created, else with a fixed `translate` table (Latin letters).
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './dialect.js';

/** Characters the fallback folding maps when `unaccent` is missing, and what they become. */
const ACCENTED = 'àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżž';
const PLAIN = 'aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnooooooooorrrsssstttuuuuuuuuuuwyyyzzz';

async function sqliteUp(db: Kysely<unknown>): Promise<void> {
  // `chat` holds the chat id as one token (without its dashes), so a search keeps to the
  // caller's chats inside the index instead of fetching every match to filter it.
  await sql`create virtual table messages_fts using fts5(text, chat, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')`.execute(db);
  // How many messages hold each term: a query picks its plan from it (sqlite-search.ts).
  await sql`create virtual table messages_fts_terms using fts5vocab(messages_fts, 'row')`.execute(db);
  // Deleted messages keep an empty text and leave the index; edits replace their entry.
  await sql`create trigger messages_fts_insert after insert on messages when new.deleted_at is null begin
    insert into messages_fts(rowid, text, chat) values (new.id, new.text, replace(new.chat_id, '-', '')); end`.execute(db);
  await sql`create trigger messages_fts_update after update of text, deleted_at on messages begin
    delete from messages_fts where rowid = old.id;
    insert into messages_fts(rowid, text, chat) select new.id, new.text, replace(new.chat_id, '-', '') where new.deleted_at is null; end`.execute(db);
  await sql`create trigger messages_fts_delete after delete on messages begin
    delete from messages_fts where rowid = old.id; end`.execute(db);
  const { rows } = await sql<{ id: number | null }>`select max(id) as id from messages`.execute(db);
  const through = Number(rows[0]?.id ?? 0);
  await sql`insert into settings(key, value) values ('search.backfill', ${JSON.stringify({ through, done: 0 })})`.execute(db);
}

/** The SQL expression folding `x` (a text) with what this database has. */
async function postgresFolding(db: Kysely<unknown>): Promise<string> {
  // One creator at a time (test schemas migrate in parallel); a failure (no permission, no
  // package) is caught inside the block so the migration's transaction goes on.
  await sql`do $$ begin
    perform pg_advisory_xact_lock(hashtext('parley:unaccent'));
    if not exists (select 1 from pg_extension where extname = 'unaccent') then
      begin
        create extension unaccent schema public;
      exception when others then null;
      end;
    end if;
  end $$`.execute(db);
  const { rows } = await sql<{
    schema: string;
  }>`select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'unaccent'`.execute(db);
  const schema = rows[0]?.schema;
  if (schema) {
    const q = `"${schema.replaceAll('"', '""')}"`;
    // The dictionary is named with its schema: the function must not depend on search_path.
    return `${q}.unaccent('${q}.unaccent'::regdictionary, lower(x))`;
  }
  return `translate(lower(x), '${ACCENTED}', '${PLAIN}')`;
}

async function postgresUp(db: Kysely<unknown>): Promise<void> {
  const folded = await postgresFolding(db);
  await sql.raw(`create function parley_search_fold(x text) returns text language sql immutable parallel safe as $$ select ${folded} $$`).execute(db);
  // ASCII punctuation splits words, as the query parser does ("deploy-v2" is "deploy v2").
  await sql`create function parley_search_doc(x text) returns tsvector language sql immutable parallel safe as
    $$ select to_tsvector('simple'::regconfig, regexp_replace(parley_search_fold(x), '[[:punct:][:space:]]+', ' ', 'g')) $$`.execute(db);
  // Nullable, no default: adding it does not rewrite the table.
  await sql`alter table messages add column search_doc tsvector`.execute(db);
  await sql`create function parley_messages_search_doc() returns trigger language plpgsql as $$ begin
    new.search_doc := case when new.deleted_at is null then parley_search_doc(new.text) end;
    return new;
  end $$`.execute(db);
  await sql`create trigger messages_search_doc before insert or update of text, deleted_at on messages
    for each row execute function parley_messages_search_doc()`.execute(db);
  await sql`create index messages_search on messages using gin (search_doc)`.execute(db);
  const { rows } = await sql<{ id: number | null }>`select max(id) as id from messages`.execute(db);
  const through = Number(rows[0]?.id ?? 0);
  await sql`insert into settings(key, value) values ('search.backfill', ${JSON.stringify({ through, done: 0 })})`.execute(db);
}

/** The migration for `dialect`. */
export const searchMigration = (dialect: Dialect): Migration => ({
  up: (db) => (dialect === 'sqlite' ? sqliteUp(db) : postgresUp(db)),
});
