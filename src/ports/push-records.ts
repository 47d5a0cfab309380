/**
 * Store records of push delivery: the durable outbox (one row per device session and event).
 * Which sessions are online is read from socket presence (`presence-records.ts`).
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
}
