/**
 * Which device sessions have an open native socket, on any node: a row per open socket in
 * the store (`socket_presence`) with this node's id, refreshed by one heartbeat statement
 * per node. A node that dies stops refreshing, and its rows count as offline after
 * `staleMs`. Only kept when push is on: nothing else asks.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

export type Presence = ReturnType<typeof createPresence>;

export interface PresenceOptions {
  store: Store;
  clock: Clock;
  /** False: a no-op (push is off). */
  enabled: boolean;
  heartbeatMs?: number;
}

/** This node's presence records, under a node id of its own (new at every start). */
export function createPresence(options: PresenceOptions) {
  const { store, clock, enabled } = options;
  const heartbeatMs = options.heartbeatMs ?? 20_000;
  // Three missed heartbeats: the node is gone.
  const staleMs = heartbeatMs * 3;
  const nodeId = randomUUID();
  let timer: NodeJS.Timeout | undefined;

  return {
    nodeId,
    enabled,
    /** Sockets seen since this time count as open. */
    onlineSince: () => clock.now() - staleMs,

    /** Records an open socket of `sessionId`; returns its id for `disconnected` (undefined when off). */
    async connected(sessionId: string): Promise<string | undefined> {
      if (!enabled) return undefined;
      const id = randomUUID();
      await store.push.addPresence({ id, sessionId, nodeId, seenAt: clock.now() });
      return id;
    },

    /** Forgets a closed socket. */
    async disconnected(id: string): Promise<void> {
      await store.push.removePresence(id);
    },

    /** Starts the heartbeat, which also removes rows of nodes that stopped refreshing theirs. */
    start(onError: (error: unknown) => void): void {
      if (!enabled || timer) return;
      timer = setInterval(() => {
        const now = clock.now();
        store.push
          .touchPresence(nodeId, now)
          .then(() => store.push.prunePresence(now - 10 * staleMs))
          .catch(onError);
      }, heartbeatMs);
      timer.unref();
    },

    /** Stops the heartbeat and removes this node's rows (its sockets are closing). */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (enabled) await store.push.clearNode(nodeId);
    },
  };
}
