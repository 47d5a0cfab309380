/**
 * The hub: every open socket of this node, whatever its family, indexed by user, by device
 * session and by room. The fan-out (fanout.ts) reads it to deliver bus events; a family's
 * socket protocol adds its connections and says how each presents what it is given.
 */
import type { ChatEvent, PresenceEvent, RoomMessage } from '../ports/events.js';
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
  /** A user's presence changed and `userId` sees it (sockets that carry presence). */
  presence?(event: PresenceEvent): void;
  /** A new message in `room`. */
  roomMessage?(message: RoomMessage): void;
  /** Closes the socket with `code` (revocation, replacement). */
  close(code: number, reason: string): void;
  /**
   * This node stopped hearing the bus (bus-recovery.ts): what other nodes publish from now on
   * is missed until `busBack`. `cursor` is the newest event cursor this node had heard of.
   */
  busLost?(cursor: number): void;
  /** The bus is heard again: catch up on what was missed while it was lost (or say `resync`). */
  busBack?(): void;
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
  private readonly conns = new Set<HubConnection>();
  /** The newest event cursor this node has heard of (the fan-out's chat events, replays). */
  private newest = 0;
  /** Set while the bus is lost: the newest cursor heard when it was lost. */
  private lostAt: number | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Indexes `conn` under its user, session and room; returns the function that removes it. */
  add(conn: HubConnection): () => void {
    this.conns.add(conn);
    if (conn.userId !== undefined) this.byUser.add(conn.userId, conn);
    if (conn.sessionId !== undefined) this.bySession.add(conn.sessionId, conn);
    if (conn.room !== undefined) this.byRoom.add(conn.room, conn);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.conns.delete(conn);
      if (conn.userId !== undefined) this.byUser.remove(conn.userId, conn);
      if (conn.sessionId !== undefined) this.bySession.remove(conn.sessionId, conn);
      if (conn.room !== undefined) this.byRoom.remove(conn.room, conn);
    };
  }

  /** Every socket of this node (a copy: the caller may close them). */
  all(): HubConnection[] {
    return [...this.conns];
  }

  /** The device sessions of this node's sockets. */
  sessionIds(): string[] {
    return this.bySession.keys();
  }

  /** Notes an event cursor this node heard of (see `newestCursor`). */
  noteCursor(cursor: number | undefined): void {
    if (cursor !== undefined && cursor > this.newest) this.newest = cursor;
  }

  /**
   * Where a new socket without `?since=` would start a catch-up after a bus outage: the
   * newest cursor heard, or, while the bus is lost, the newest heard when it was lost.
   */
  newestCursor(): number {
    return this.lostAt ?? this.newest;
  }

  /** True between `busLost` and `busBack`. */
  get busIsLost(): boolean {
    return this.lostAt !== undefined;
  }

  /** The bus was lost: every socket is told (`HubConnection.busLost`). */
  busLost(): void {
    if (this.lostAt !== undefined) return;
    this.lostAt = this.newest;
    for (const conn of this.all()) conn.busLost?.(this.lostAt);
  }

  /** The bus is back: every socket is told (`HubConnection.busBack`). */
  busBack(): void {
    if (this.lostAt === undefined) return;
    this.lostAt = undefined;
    for (const conn of this.all()) conn.busBack?.();
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
