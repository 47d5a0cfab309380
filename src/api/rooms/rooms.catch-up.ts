/**
 * A room socket across a bus outage. Room messages are not in the event log, but they are
 * the room's history: when the bus is back, the socket is sent (in one frame, oldest first)
 * the room's messages it missed since the newest it had when the bus was lost (or, if it had
 * none, those posted from a second before the loss), up to the history's limit, skipping
 * those it was sent meanwhile (this node's own). Live messages wait while the history is read
 * and follow it, so nothing arrives twice or out of order.
 */
import type { RoomMessage } from '../../ports/events.js';

/** How many of the room's newest messages a catch-up reads (the history's own limit). */
export const CATCH_UP_MESSAGES = 200;
/** How many sent ids a socket remembers to drop a late duplicate. */
const RECENT_IDS = 256;

export interface RoomCatchUpDeps {
  /** Newest first: the room's latest `count` messages. */
  history(count: number): Promise<RoomMessage[]>;
  /** Sends one frame of `messages`; false if it was not sent. */
  send(messages: RoomMessage[]): boolean;
  onError(error: unknown): void;
  now?: () => number;
}

/** One room socket's delivery: live messages, and the catch-up after a bus outage. */
export class RoomDelivery {
  private newest = 0;
  private lost: { from: number | undefined; sinceSeconds: number; sent: Set<number> } | undefined;
  private held: RoomMessage[] | undefined;
  /** Ids of the messages sent lately, oldest first: a post Redis delivers late (after a freeze) is not sent twice. */
  private readonly recent = new Set<number>();

  constructor(private readonly deps: RoomCatchUpDeps) {}

  /** A live message from the fan-out. */
  message(message: RoomMessage): void {
    if (this.recent.has(message.id)) return;
    if (this.held) this.held.push(message);
    else this.sendAll([message]);
  }

  busLost(): void {
    const now = this.deps.now?.() ?? Date.now();
    this.lost ??= { from: this.newest || undefined, sinceSeconds: Math.floor(now / 1000) - 1, sent: new Set() };
  }

  busBack(): void {
    const lost = this.lost;
    this.lost = undefined;
    if (!lost || this.held) return;
    this.held = [];
    this.deps
      .history(CATCH_UP_MESSAGES)
      .then((newestFirst) => {
        const missed = newestFirst
          .reverse()
          .filter((m) => !lost.sent.has(m.id) && (lost.from === undefined ? m.createTime >= lost.sinceSeconds : m.id > lost.from));
        if (missed.length > 0) this.sendAll(missed);
        return new Set(missed.map((m) => m.id));
      })
      .catch((error: unknown) => {
        this.deps.onError(error);
        return new Set<number>();
      })
      .then((sent) => {
        const held = this.held ?? [];
        this.held = undefined;
        const rest = held.filter((m) => !sent.has(m.id) && !lost.sent.has(m.id));
        if (rest.length > 0) this.sendAll(rest);
      });
  }

  private sendAll(messages: RoomMessage[]): void {
    if (!this.deps.send(messages)) return;
    for (const m of messages) {
      if (m.id > this.newest) this.newest = m.id;
      this.lost?.sent.add(m.id);
      this.recent.add(m.id);
    }
    for (const id of this.recent) {
      if (this.recent.size <= RECENT_IDS) break;
      this.recent.delete(id);
    }
  }
}
