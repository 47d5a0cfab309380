/**
 * The hub: every open socket of this node, whatever its family, indexed by user, by device
 * session and by room. The fan-out (fanout.ts) reads it to deliver bus events; a family's
 * socket protocol adds its connections and says how each presents what it is given.
 */
import type { ChatEvent, RoomMessage } from '../ports/events.js';
import { Registry } from './registry.js';

/** One open socket as the hub sees it: who holds it, and what it can be given. */
export interface HubConnection {
  /** The family's protocol name (`native`, `rooms`): a family finds its own sockets by it. */
  readonly protocol: string;
  /** The account behind the socket; undefined for an anonymous (read-only) room reader. */
  readonly userId: number | undefined;
  /** The device session whose token opened the socket; undefined without a token. */
  readonly sessionId: string | undefined;
  /** The room the socket listens to (room sockets). */
  readonly room?: string;
  /** A chat event addressed to `userId` (sockets that carry chat events). */
  chatEvent?(event: ChatEvent): void;
  /** A new message in `room`. */
  roomMessage?(message: RoomMessage): void;
  /** Closes the socket with `code` (revocation, replacement). */
  close(code: number, reason: string): void;
}

const EMPTY: ReadonlySet<never> = new Set();

/**
 * How long a revocation is remembered. A socket's token is checked before the upgrade, and
 * the socket joins the hub a moment later: a revocation that arrives in between found nothing
 * to close, so the socket is closed when it joins instead.
 */
const REVOKED_MEMORY_MS = 60_000;

/** The connections of one node. One per app: several apps in a process never share one. */
export class Hub {
  private readonly byUser = new Registry<number, HubConnection>();
  private readonly bySession = new Registry<string, HubConnection>();
  private readonly byRoom = new Registry<string, HubConnection>();
  /** Recently revoked session ids and when, oldest first. */
  private readonly revoked = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Indexes `conn` under its user, session and room; returns the function that removes it. */
  add(conn: HubConnection): () => void {
    if (conn.userId !== undefined) this.byUser.add(conn.userId, conn);
    if (conn.sessionId !== undefined) this.bySession.add(conn.sessionId, conn);
    if (conn.room !== undefined) this.byRoom.add(conn.room, conn);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      if (conn.userId !== undefined) this.byUser.remove(conn.userId, conn);
      if (conn.sessionId !== undefined) this.bySession.remove(conn.sessionId, conn);
      if (conn.room !== undefined) this.byRoom.remove(conn.room, conn);
    };
  }

  /** Every socket of `userId` on this node. */
  ofUser(userId: number): ReadonlySet<HubConnection> {
    return this.byUser.get(userId);
  }

  /** Every socket opened with the token of device session `sessionId`, of every family. */
  ofSession(sessionId: string | undefined): ReadonlySet<HubConnection> {
    return sessionId === undefined ? EMPTY : this.bySession.get(sessionId);
  }

  /** Every socket listening to `room`. */
  inRoom(room: string): ReadonlySet<HubConnection> {
    return this.byRoom.get(room);
  }

  /** Remembers that `sessionId` was revoked (for sockets that join just after; see REVOKED_MEMORY_MS). */
  noteRevoked(sessionId: string): void {
    const now = this.now();
    for (const [id, at] of this.revoked) {
      if (now - at < REVOKED_MEMORY_MS) break;
      this.revoked.delete(id);
    }
    this.revoked.delete(sessionId);
    this.revoked.set(sessionId, now);
  }

  /** True when `sessionId` was revoked within REVOKED_MEMORY_MS. */
  wasRevoked(sessionId: string | undefined): boolean {
    if (sessionId === undefined) return false;
    const at = this.revoked.get(sessionId);
    return at !== undefined && this.now() - at < REVOKED_MEMORY_MS;
  }

  /** How many sockets listen to `room` on this node (the rooms API's live member count). */
  roomCount(room: string): number {
    return this.byRoom.count(room);
  }
}
