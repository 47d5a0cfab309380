/**
 * Catch-up for reconnecting clients: the events a user missed since a cursor, or a clear
 * "resync" when the cursor predates what the log still keeps (or comes from another log).
 * Also prunes the log past its retention, remembering how far it pruned.
 */
import type { Clock } from '../ports/clock.js';
import type { ChatEvent } from '../ports/events.js';
import type { Store } from '../ports/store.js';

const PRUNED_THROUGH = 'event_log.pruned_through';
/** Events read from the log at a time: a replay holds at most one page (REPLAY_PAGE_EVENTS). */
export const REPLAY_PAGE = 200;

/**
 * What a user missed: `pages` yields them oldest first, at most `pageSize` a page, each read
 * from the store only when the previous one was taken (a replay holds one page in memory,
 * however far behind the cursor is), up to `through`, the stable point when it was opened.
 */
export type CatchUp = { kind: 'events'; through: number; pages: AsyncIterable<ChatEvent[]> } | { kind: 'resync'; reason: string; cursor: number };

export type EventLogService = ReturnType<typeof createEventLogService>;

export function createEventLogService(deps: { store: Store; clock: Clock; retentionSeconds: number; pageSize?: number }) {
  const { store, clock, retentionSeconds, pageSize = REPLAY_PAGE } = deps;

  async function* pagesOf(userId: number, since: number, through: number): AsyncGenerator<ChatEvent[]> {
    for (let after = since; ; ) {
      const page = await store.events.listSince(userId, after, pageSize, through);
      if (page.length > 0) yield page.map((row) => ({ ...(JSON.parse(row.payload) as ChatEvent), cursor: row.id }));
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.id;
    }
  }

  return {
    /** What `userId` missed after `since`, oldest first, page by page. */
    async since(userId: number, since: number): Promise<CatchUp> {
      // Read up to the stable point only: past it, an event with a lower id may still commit.
      const [pruned, latest] = await Promise.all([store.settings.get(PRUNED_THROUGH).then((v) => Number(v ?? 0)), store.events.stableThrough()]);
      if (since < pruned) return { kind: 'resync', reason: 'The cursor is older than the event log keeps; fetch your chats again.', cursor: latest };
      if (since > latest) return { kind: 'resync', reason: 'The cursor is unknown to this server; fetch your chats again.', cursor: latest };
      return { kind: 'events', through: latest, pages: pagesOf(userId, since, latest) };
    },

    /** The newest cursor (for a resync answer). */
    latest: () => store.events.stableThrough(),

    /** Deletes events older than the retention; later cursors below the watermark get a resync. */
    async prune(): Promise<number> {
      const through = await store.events.pruneBefore(clock.now() - retentionSeconds * 1000);
      if (through > 0) {
        const previous = Number((await store.settings.get(PRUNED_THROUGH)) ?? 0);
        if (through > previous) await store.settings.set(PRUNED_THROUGH, String(through));
      }
      return through;
    },
  };
}
