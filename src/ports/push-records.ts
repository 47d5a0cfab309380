/**
 * Store records of push delivery: the durable outbox (one row per device session and event)
 * and socket presence (one row per open native socket, kept fresh by its node's heartbeat).
 * Part of the Store port (`store.ts` gathers them). Times are epoch milliseconds.
 */

export type PushKind = 'message' | 'auxiliary';

/** A push waiting in the outbox. `payload` is JSON the push service wrote (`PushContent`). */
export interface PushRow {
  id: number;
  sessionId: string;
  userId: number;
  chatId: string;
  messageId: number | null;
  kind: PushKind;
  payload: string;
  /** Attempts already made (failed ones). */
  attempts: number;
  dueAt: number;
}

export type NewPushRow = Omit<PushRow, 'id' | 'attempts'>;

/** A device session that may receive pushes: it has a token and a transport. */
export interface PushTarget {
  sessionId: string;
  userId: number;
  pushToken: string;
  pushTransport: string;
  /** The member is notified of mentions only (in chat targets). */
  mentionsOnly?: boolean;
}

export interface PushRepository {
  /**
   * Sessions with a push token of the chat's current members who have not muted it, and
   * with no open socket seen since `onlineSince`.
   */
  offlineTargetsInChat(chatId: string, onlineSince: number): Promise<PushTarget[]>;
  /** Like `offlineTargetsInChat`, for the sessions of these users (any chat settings). */
  offlineTargetsOfUsers(chatId: string, userIds: number[], onlineSince: number): Promise<PushTarget[]>;
  enqueue(rows: NewPushRow[]): Promise<void>;
  /**
   * Leases up to `limit` due rows (due_at ≤ now, no live lease) until `leaseUntil`, so no
   * other node takes them meanwhile (SKIP LOCKED on PostgreSQL); oldest first.
   */
  claim(now: number, leaseUntil: number, limit: number): Promise<PushRow[]>;
  /** The targets behind these sessions now (their current token), if they still have one. */
  targets(sessionIds: string[]): Promise<PushTarget[]>;
  /** The sessions among `sessionIds` with an open socket seen since `onlineSince`. */
  onlineSessions(sessionIds: string[], onlineSince: number): Promise<Set<string>>;
  /** The user's unread messages over every chat they are in (the badge). */
  unreadCount(userId: number): Promise<number>;
  delete(id: number): Promise<void>;
  /** Puts a failed row back for a later attempt (releases its lease). */
  reschedule(id: number, attempts: number, dueAt: number): Promise<void>;
  deleteForMessage(messageId: number): Promise<void>;
  /** Clears the session's push token if it is still `token` (the service said it is invalid). */
  clearToken(sessionId: string, token: string): Promise<boolean>;
  /** How many rows wait (tests, metrics). */
  pending(): Promise<number>;

  addPresence(presence: { id: string; sessionId: string; nodeId: string; seenAt: number }): Promise<void>;
  removePresence(id: string): Promise<void>;
  /** The node's heartbeat: every socket of `nodeId` was seen at `seenAt`. */
  touchPresence(nodeId: string, seenAt: number): Promise<void>;
  /** Removes every row of `nodeId` (its graceful shutdown). */
  clearNode(nodeId: string): Promise<void>;
  /** Removes rows no heartbeat refreshed since `before` (their node died). */
  prunePresence(before: number): Promise<void>;
}
