/**
 * Store records of presence: one row per open native socket (its node refreshes it with a
 * heartbeat; a row not refreshed counts as gone), and the status each user chose. Part of
 * the Store port (`store.ts` gathers them). Times are epoch milliseconds.
 */

/** What a user chose: `online` (automatic: online or away by activity), `away`, `dnd` or `invisible`. */
export type PresenceSetting = 'online' | 'away' | 'dnd' | 'invisible';

export interface SocketRow {
  id: string;
  sessionId: string;
  userId: number;
  nodeId: string;
  seenAt: number;
}

/** A user's sockets on every node, counted over rows seen since a time. */
export interface SocketCounts {
  userId: number;
  /** Fresh rows. */
  sockets: number;
  /** Fresh rows not idle. */
  active: number;
}

export interface PresenceSettingRow {
  userId: number;
  setting: PresenceSetting;
  lastSeenAt: number | null;
}

export interface PresenceRepository {
  addSocket(row: SocketRow): Promise<void>;
  removeSocket(id: string): Promise<void>;
  /** Marks sockets idle (no frame for a while) or active again. */
  setIdle(ids: string[], idle: boolean): Promise<void>;
  /** The node's heartbeat: every socket of `nodeId` was seen at `seenAt`; returns how many rows it has. */
  touchNode(nodeId: string, seenAt: number): Promise<number>;
  /** The ids of `nodeId`'s rows (the heartbeat puts back rows another node reaped). */
  socketIdsOfNode(nodeId: string): Promise<string[]>;
  /** Removes every row of `nodeId` (its graceful shutdown); returns their users. */
  clearNode(nodeId: string): Promise<number[]>;
  /** Removes rows no heartbeat refreshed since `before` (their node died); returns their users. */
  reapStale(before: number): Promise<number[]>;
  /** Socket counts of those of `userIds` with a row seen since `since` (the others have none). */
  socketCounts(userIds: number[], since: number): Promise<SocketCounts[]>;
  /** The chosen status and last-seen time of each existing user of `userIds`. */
  settings(userIds: number[]): Promise<PresenceSettingRow[]>;
  setSetting(userId: number, setting: PresenceSetting): Promise<boolean>;
  /** Who sees `userId`'s presence: members of a chat with them and users who have them as a contact, but not users they blocked. */
  audience(userId: number): Promise<number[]>;
  /** Those of `userIds` whose presence `viewerId` sees (themselves included; not those who blocked the viewer). */
  visibleTo(viewerId: number, userIds: number[]): Promise<number[]>;
}
