/**
 * Catch-up for reconnecting clients: the events a user missed since a cursor, or a clear
 * "resync" when the cursor predates what the log still keeps (or comes from another log).
 * Also prunes the log past its retention, remembering how far it pruned.
 */
import type { Clock } from '../ports/clock.js';
import type { ChatEvent } from '../ports/events.js';
import type { Store } from '../ports/store.js';

const PRUNED_THROUGH = 'event_log.pruned_through';
const PAGE = 500;

export type CatchUp = { kind: 'events'; events: ChatEvent[] } | { kind: 'resync'; reason: string; cursor: number };

export type EventLogService = ReturnType<typeof createEventLogService>;

export function createEventLogService(deps: { store: Store; clock: Clock; retentionSeconds: number }) {
  const { store, clock, retentionSeconds } = deps;

  return {
    /** What `userId` missed after `since`, oldest first. */
    async since(userId: number, since: number): Promise<CatchUp> {
      // Read up to the stable point only: past it, an event with a lower id may still commit.
      const [pruned, latest] = await Promise.all([store.settings.get(PRUNED_THROUGH).then((v) => Number(v ?? 0)), store.events.stableThrough()]);
      if (since < pruned) return { kind: 'resync', reason: 'The cursor is older than the event log keeps; fetch your chats again.', cursor: latest };
      if (since > latest) return { kind: 'resync', reason: 'The cursor is unknown to this server; fetch your chats again.', cursor: latest };
      const events: ChatEvent[] = [];
      for (let after = since; ; ) {
        const page = await store.events.listSince(userId, after, PAGE, latest);
        for (const row of page) events.push({ ...(JSON.parse(row.payload) as ChatEvent), cursor: row.id });
        if (page.length < PAGE) break;
        after = page[page.length - 1]!.id;
      }
      return { kind: 'events', events };
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
