/**
 * Store records of trust and safety (issue 21, part B): the audit log of admin and moderator
 * actions, users' reports, data exports and message retention. Part of the Store port.
 * Times are epoch ms.
 */

/** One admin or moderator action. `actorId` null: the machine's operator (the CLI). */
export interface AuditEntry {
  id: number;
  actorId: number | null;
  /** What was done, e.g. `user.disable`, `report.resolve`, `chat.ban`. */
  action: string;
  /** What it was done to: `user`, `session`, `message`, `chat`, `report`, `signing-key`. */
  targetType: string;
  targetId: string;
  chatId: string | null;
  details: Record<string, unknown> | null;
  createdAt: number;
}

export interface AuditRepository {
  insert(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry>;
  /** Newest first: up to `limit` entries, only ids below `before` when given (a cursor). */
  newest(page: { before?: number | undefined; limit: number }): Promise<AuditEntry[]>;
}

export type ReportTarget = 'message' | 'user' | 'chat';
export type ReportReason = 'spam' | 'abuse' | 'illegal' | 'other';
export type ReportStatus = 'open' | 'resolved' | 'dismissed';
export type ReportAction = 'deleteMessage' | 'disableUser' | 'none';

/** The reported message as it was when reported: kept even when its author deletes it. */
export interface ReportEvidence {
  messageUuid: string;
  authorId: number;
  text: string;
  sentAt: number;
  editedAt: number | null;
  attachments: Array<{ id: string; fileType: string; mime: string; fileSize: number }>;
}

export interface ReportRecord {
  id: number;
  /** Null once the reporter's account is gone. */
  reporterId: number | null;
  targetType: ReportTarget;
  /** The message's public id, the user's id or the chat's id. */
  targetId: string;
  chatId: string | null;
  messageId: number | null;
  /** The reported user, or the reported message's author. */
  reportedUserId: number | null;
  reason: ReportReason;
  text: string | null;
  evidence: ReportEvidence | null;
  status: ReportStatus;
  action: ReportAction | null;
  resolvedBy: number | null;
  resolvedAt: number | null;
  createdAt: number;
}

export interface ReportsRepository {
  insert(report: Omit<ReportRecord, 'id'>): Promise<ReportRecord>;
  findById(id: number): Promise<ReportRecord | undefined>;
  /** Newest first, of one status when given; only ids below `before` when given. */
  list(page: { status?: ReportStatus | undefined; before?: number | undefined; limit: number }): Promise<ReportRecord[]>;
  update(id: number, patch: Pick<ReportRecord, 'status' | 'action' | 'resolvedBy' | 'resolvedAt'>): Promise<void>;
  /** How many reports the user made since `since` (the report rate limit). */
  countSince(reporterId: number, since: number): Promise<number>;
}

export type ExportStatus = 'running' | 'ready' | 'failed';

import type { ChatRecord, MemberRecord, MessageRecord } from './chat-records.js';

/** A user's data export: one at a time; the file is in the blob store under `blobKey`. */
export interface ExportRecord {
  userId: number;
  status: ExportStatus;
  blobKey: string | null;
  fileSize: number | null;
  startedAt: number;
  /** A running export is held by its node until then; past it, a crash is assumed and it may start again. */
  leaseUntil: number;
  finishedAt: number | null;
  expiresAt: number | null;
}

export interface ExportsRepository {
  find(userId: number): Promise<ExportRecord | undefined>;
  /**
   * Starts an export unless one runs under a live lease (false then); replaces a finished one
   * and answers its old file's key so that it can be removed.
   */
  begin(record: ExportRecord, now: number): Promise<{ started: boolean; replacedKey: string | null }>;
  /** Marks the export ready (or failed); false when the row is gone meanwhile (account deleted). */
  finish(userId: number, patch: Pick<ExportRecord, 'status' | 'blobKey' | 'fileSize' | 'finishedAt' | 'expiresAt'>): Promise<boolean>;
  /** Deletes up to `limit` exports that expired before `now`; returns them (their files go next). */
  deleteExpired(now: number, limit: number): Promise<ExportRecord[]>;
  /** Every chat the user has a member row in (left and hidden ones too), oldest first. */
  chatsOf(userId: number): Promise<Array<{ chat: ChatRecord; member: MemberRecord }>>;
  /** The user's own messages with row ids above `afterId`, in id order, up to `limit` (a page). */
  messagesBy(authorId: number, afterId: number, limit: number): Promise<MessageRecord[]>;
}

export interface RetentionRepository {
  /** The chat's own retention in days, null when it has none (the chat may not exist). */
  chatRetention(chatId: string): Promise<number | null>;
  setChatRetention(chatId: string, days: number | null): Promise<void>;
  /** The chats with a retention of their own, with it. */
  chatsWithRetention(): Promise<Array<{ chatId: string; days: number }>>;
  /** Up to `limit` message ids created before `before`, oldest first; of one chat when given. */
  messagesBefore(before: number, limit: number, chatId?: string): Promise<number[]>;
  /**
   * Deletes the messages (their reactions, pins, edits … by cascade) and their events;
   * answers the uploads attached to them, whose rows are deleted too (their files go next).
   */
  deleteMessages(messageIds: number[]): Promise<Array<{ id: string; fileType: string }>>;
}
