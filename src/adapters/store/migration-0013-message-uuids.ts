/**
 * Migration 0013: messages get their public id (issue 18), the UUID the native JSON document
 * gives MessageInfo. Adds `messages.uuid`, fills it for existing rows with a UUIDv7 of their
 * send time (in row order, so the ids sort as the messages were sent), makes it unique, and
 * writes it into the logged events that carry those messages, so a client replaying from an
 * older cursor sees the same ids as in the history. The integer row id stays the key that
 * attachments, pushes and the event log join on.
 */
import type { Kysely, Migration } from 'kysely';
// The id's shape is the core's (the same generator makes new ones on send).
import { createMessageIds } from '../../core/message-ids.js';
import type { Database } from './schema.js';

const PAGE = 1000;

/** The message records an event payload holds: its message, and a chat's last message. */
interface LoggedEvent {
  message?: { message?: { id?: number; uuid?: string } };
  chat?: { lastMessage?: { message?: { id?: number; uuid?: string } } };
}

export const messageUuidsMigration = (): Migration => ({
  async up(db: Kysely<Database>) {
    await db.schema.alterTable('messages').addColumn('uuid', 'text').execute();
    const uuids = new Map<number, string>();
    // A generator of its own: its ids follow the rows' own send times, not this process's clock.
    const ids = createMessageIds();
    for (let after = -1; ; ) {
      const page = await db.selectFrom('messages').select(['id', 'created_at']).where('id', '>', after).orderBy('id').limit(PAGE).execute();
      for (const row of page) {
        const uuid = ids.next(Number(row.created_at));
        uuids.set(Number(row.id), uuid);
        await db.updateTable('messages').set({ uuid }).where('id', '=', row.id).execute();
      }
      if (page.length < PAGE) break;
      after = Number(page[page.length - 1]!.id);
    }
    await db.schema.createIndex('messages_uuid_unique').on('messages').column('uuid').unique().execute();
    if (uuids.size === 0) return;
    for (let after = -1; ; ) {
      const page = await db.selectFrom('events').select(['id', 'payload']).where('id', '>', after).orderBy('id').limit(PAGE).execute();
      for (const row of page) {
        let event: LoggedEvent;
        try {
          event = JSON.parse(row.payload) as LoggedEvent;
        } catch {
          continue;
        }
        let changed = false;
        for (const m of [event.message?.message, event.chat?.lastMessage?.message]) {
          const uuid = m && typeof m.id === 'number' ? uuids.get(m.id) : undefined;
          if (m && uuid && m.uuid === undefined) {
            m.uuid = uuid;
            changed = true;
          }
        }
        if (changed)
          await db
            .updateTable('events')
            .set({ payload: JSON.stringify(event) })
            .where('id', '=', row.id)
            .execute();
      }
      if (page.length < PAGE) break;
      after = Number(page[page.length - 1]!.id);
    }
  },
});
