/**
 * Migration 0024: threads (issue 19). `messages.has_thread` is set in the transaction of a
 * message's first thread reply and never cleared, so a view asks for thread summaries only
 * for messages that ever had a reply: the many that never did cost no query. It is a hint,
 * not a count: the summary itself is always read from the replies.
 */
import type { Kysely, Migration } from 'kysely';

export const threadsMigration = (): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('messages')
      .addColumn('has_thread', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
});
