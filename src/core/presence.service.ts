/**
 * Presence: who is online, away, busy or offline, on every node. Each open native socket is
 * a row in the store (`socket_presence`) under this node's id, refreshed by one heartbeat
 * statement per node; a node that dies stops refreshing and its rows count as gone after
 * `staleMs` (another node's heartbeat reaps them and tells their users' audience).
 *
 * Activity is kept in memory: a socket's last frame time is a field, and one sweep per node
 * marks sockets idle after `awayMs` without a frame (no timer per socket). Only changes go
 * to the store (idle, active again) and then to the bus: a `user.presence` event for the
 * users who see this user (co-members, and users who have them as a contact). Changes are
 * computed in batches by one runner per node, so a node publishes a user's changes in order.
 * What each node heard last (`known`) keeps a node from publishing a status nobody missed.
 * Push asks `onlineSince` which sessions have a fresh row (see push.service.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Bus } from '../ports/bus.js';
import type { Clock } from '../ports/clock.js';
import type { PresenceStatus, PresenceView } from '../ports/events.js';
import type { PresenceSetting, Store } from '../ports/store.js';
import { coalescingRunner } from './coalescing-runner.js';

export type Presence = ReturnType<typeof createPresence>;

export interface PresenceOptions {
  store: Store;
  /** The core's bus (publishes after the store; failures are reported, not thrown). */
  bus: Bus;
  clock: Clock;
  /** A socket without a frame for this long is idle: its user is away when all their sockets are. */
  awayMs: number;
  heartbeatMs?: number;
}

interface LocalSocket {
  sessionId: string;
  userId: number;
  /** When the client last sent a frame (or opened the socket). */
  activeAt: number;
  idle: boolean;
}

/** Users computed per query (an `in (…)` list). */
const CHUNK = 500;

/** How `setting` and the user's sockets look to others. */
export function statusOf(setting: PresenceSetting, sockets: number, active: number): PresenceStatus {
  if (sockets === 0 || setting === 'invisible') return 'offline';
  if (setting === 'dnd' || setting === 'away') return setting;
  return active > 0 ? 'online' : 'away';
}

/** This node's presence, under a node id of its own (new at every start). */
export function createPresence(options: PresenceOptions) {
  const { store, bus, clock, awayMs } = options;
  const heartbeatMs = options.heartbeatMs ?? 20_000;
  // Three missed heartbeats: the node is gone.
  const staleMs = heartbeatMs * 3;
  const sweepMs = Math.min(5000, Math.max(100, Math.floor(awayMs / 4)));
  const nodeId = randomUUID();
  const local = new Map<string, LocalSocket>();
  /** The status each user was last published with, as this node heard it (absent: offline). */
  const known = new Map<number, PresenceStatus>();
  const dirty = new Set<number>();
  const goneIdle = new Set<string>();
  const backActive = new Set<string>();
  const timers: NodeJS.Timeout[] = [];
  let report: (error: unknown) => void = () => {};
  let stopped = false;

  const onlineSince = () => clock.now() - staleMs;

  /** The presence of existing users of `userIds` as others see it now. */
  async function compute(userIds: number[]): Promise<PresenceView[]> {
    const [counts, settings] = await Promise.all([store.presence.socketCounts(userIds, onlineSince()), store.presence.settings(userIds)]);
    const byUser = new Map(counts.map((c) => [c.userId, c]));
    const now = clock.now();
    return settings.map(({ userId, setting, lastSeenAt }) => {
      const c = byUser.get(userId);
      const status = statusOf(setting, c?.sockets ?? 0, c?.active ?? 0);
      return { userId, status, lastSeenAt: status === 'offline' ? lastSeenAt : now };
    });
  }

  async function pass(): Promise<void> {
    try {
      const idle = [...goneIdle];
      const active = [...backActive];
      goneIdle.clear();
      backActive.clear();
      await store.presence.setIdle(idle, true);
      await store.presence.setIdle(active, false);
      const users = [...dirty];
      dirty.clear();
      for (let i = 0; i < users.length; i += CHUNK) {
        for (const view of await compute(users.slice(i, i + CHUNK))) await publishIfChanged(view);
      }
    } catch (error) {
      report(error);
    }
  }

  async function publishIfChanged(view: PresenceView): Promise<void> {
    const before = known.get(view.userId) ?? 'offline';
    if (view.status === before) return;
    if (view.status === 'offline') {
      // Gone: the time they were last seen is now (kept for UserInfo's lastSeen too).
      view.lastSeenAt = clock.now();
      await store.users.update(view.userId, { lastSeenAt: view.lastSeenAt });
    }
    setKnown(view.userId, view.status);
    const recipients = await store.presence.audience(view.userId);
    await bus.publish('user.presence', { ...view, recipients });
  }

  function setKnown(userId: number, status: PresenceStatus) {
    if (status === 'offline') known.delete(userId);
    else known.set(userId, status);
  }

  const runner = coalescingRunner(pass, () => false);
  const touch = (userIds: Iterable<number>) => {
    for (const id of userIds) dirty.add(id);
    runner.kick();
  };

  /** Marks sockets idle that sent nothing for `awayMs`. */
  function sweep() {
    const before = clock.now() - awayMs;
    const users: number[] = [];
    for (const [id, socket] of local) {
      if (socket.idle || socket.activeAt >= before) continue;
      socket.idle = true;
      goneIdle.add(id);
      backActive.delete(id);
      users.push(socket.userId);
    }
    if (users.length > 0) touch(users);
  }

  /** Refreshes this node's rows, puts back any another node reaped, reaps dead nodes' rows. */
  async function heartbeat() {
    const now = clock.now();
    const count = await store.presence.touchNode(nodeId, now);
    if (count < local.size) {
      const stored = new Set(await store.presence.socketIdsOfNode(nodeId));
      for (const [id, s] of local) {
        if (!stored.has(id)) await store.presence.addSocket({ id, sessionId: s.sessionId, userId: s.userId, nodeId, seenAt: now });
      }
    }
    const reaped = await store.presence.reapStale(now - staleMs);
    // Every local user too: two nodes changing one user at once may have published out of order.
    touch([...reaped, ...[...local.values()].map((s) => s.userId)]);
  }

  bus.subscribe('user.presence', ({ userId, status }) => setKnown(userId, status));

  return {
    nodeId,
    /** Sockets seen since this time count as open. */
    onlineSince,

    /** Records an open socket of `sessionId` (of `userId`); returns its id for `active` and `disconnected`. */
    async connected(sessionId: string, userId: number): Promise<string> {
      const id = randomUUID();
      const now = clock.now();
      await store.presence.addSocket({ id, sessionId, userId, nodeId, seenAt: now });
      local.set(id, { sessionId, userId, activeAt: now, idle: false });
      touch([userId]);
      return id;
    },

    /** The client sent a frame on socket `id`: active now (online again if it was idle). */
    active(id: string): void {
      const socket = local.get(id);
      if (!socket) return;
      socket.activeAt = clock.now();
      if (!socket.idle) return;
      socket.idle = false;
      goneIdle.delete(id);
      backActive.add(id);
      touch([socket.userId]);
    },

    /** Forgets a closed socket. */
    async disconnected(id: string): Promise<void> {
      const socket = local.get(id);
      local.delete(id);
      goneIdle.delete(id);
      backActive.delete(id);
      await store.presence.removeSocket(id);
      if (socket) touch([socket.userId]);
    },

    /** Stores what `userId` chose; returns how they look to others now (the event follows). */
    async choose(userId: number, setting: PresenceSetting): Promise<PresenceView | undefined> {
      if (!(await store.presence.setSetting(userId, setting))) return undefined;
      touch([userId]);
      const [view] = await compute([userId]);
      return view;
    },

    /** The chosen setting of `userId` and how they look to others. */
    async own(userId: number): Promise<{ setting: PresenceSetting; view: PresenceView } | undefined> {
      const [[row], [view]] = await Promise.all([store.presence.settings([userId]), compute([userId])]);
      return row && view ? { setting: row.setting, view } : undefined;
    },

    /** The presence of those of `userIds` that `viewerId` may see (the rest are left out). */
    async of(viewerId: number, userIds: number[]): Promise<PresenceView[]> {
      const visible = await store.presence.visibleTo(viewerId, userIds);
      const views: PresenceView[] = [];
      for (let i = 0; i < visible.length; i += CHUNK) views.push(...(await compute(visible.slice(i, i + CHUNK))));
      return views;
    },

    /** Starts the sweep and the heartbeat. */
    start(onError: (error: unknown) => void): void {
      if (timers.length > 0 || stopped) return;
      report = onError;
      timers.push(
        setInterval(sweep, sweepMs),
        setInterval(() => heartbeat().catch(onError), heartbeatMs),
      );
      for (const timer of timers) timer.unref();
    },

    /** Stops, removes this node's rows (its sockets are closing) and tells their users' audience. */
    async stop(): Promise<void> {
      for (const timer of timers.splice(0)) clearInterval(timer);
      if (stopped) return;
      stopped = true;
      local.clear();
      const users = await store.presence.clearNode(nodeId);
      touch(users);
      await runner.idle();
    },
  };
}
