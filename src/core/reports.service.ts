/**
 * Reports (issue 21): a user reports a message, a user or a chat they can see; admins review
 * them and resolve or dismiss them, optionally deleting the message or disabling its author.
 * A reported message is copied into the report (text and attachment references) so that the
 * evidence survives its author deleting it. Every review is recorded in the audit log.
 */
import { invalid, notFound } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { MessageRecord, ReportAction, ReportEvidence, ReportReason, ReportRecord, ReportStatus, Store, UserRecord } from '../ports/store.js';
import type { AdminService } from './admin.service.js';
import type { AuditService } from './audit.service.js';
import { canonicalUuid } from './message-ids.js';
import { canSee } from './message-lookup.js';
import type { Throttle } from './throttle.service.js';

/** What a user reports: exactly one of the targets. */
export interface ReportInput {
  messageId?: string | undefined;
  userId?: number | undefined;
  chatId?: string | undefined;
  reason: ReportReason;
  text?: string | undefined;
}

export interface ReportReview {
  status: ReportStatus;
  action?: ReportAction | undefined;
}

export const REPORTS_PAGE_MAX = 200;

export type ReportsService = ReturnType<typeof createReportsService>;

/** Builds the reports service; `eraseMessage` is the messages service's admin erase. */
export function createReportsService(deps: {
  store: Store;
  clock: Clock;
  throttle: Throttle;
  audit: AuditService;
  admin: AdminService;
  eraseMessage: (message: MessageRecord, adminId: number) => Promise<unknown>;
}) {
  const { store, clock, throttle, audit, admin, eraseMessage } = deps;

  /** The chat, when the reporter is a current member (or it is a public room); 404 otherwise. */
  async function visibleChat(chatId: string, reporterId: number) {
    const [chat, member] = await Promise.all([store.chats.findById(chatId), store.chats.findMember(chatId, reporterId)]);
    if (!chat || (!member?.isMember && chat.roomName === null)) throw notFound('Chat');
    return chat;
  }

  /** The target's fields and evidence; 404 for anything the reporter cannot see. */
  async function resolveTarget(reporter: UserRecord, input: ReportInput) {
    if (input.messageId !== undefined) {
      const message = await store.messages.findByUuid(canonicalUuid(input.messageId));
      if (!message || !canSee(message, reporter.id)) throw notFound('Message');
      await visibleChat(message.chatId, reporter.id).catch(() => {
        throw notFound('Message');
      });
      const files = (await store.media.attachmentsOf([message.id])).get(message.id) ?? [];
      const evidence: ReportEvidence = {
        messageUuid: message.uuid,
        authorId: message.authorId,
        text: message.text,
        sentAt: message.createdAt,
        editedAt: message.editedAt,
        attachments: files.map((f) => ({ id: f.id, fileType: f.fileType, mime: f.mime, fileSize: f.fileSize })),
      };
      return {
        targetType: 'message' as const,
        targetId: message.uuid,
        chatId: message.chatId,
        messageId: message.id,
        reportedUserId: message.authorId,
        evidence,
      };
    }
    if (input.userId !== undefined) {
      if (input.userId === reporter.id) throw invalid([{ name: 'userId', reason: 'you cannot report yourself' }]);
      const user = await store.users.findById(input.userId);
      if (!user) throw notFound('User');
      return { targetType: 'user' as const, targetId: String(user.id), chatId: null, messageId: null, reportedUserId: user.id, evidence: null };
    }
    const chat = await visibleChat(input.chatId!, reporter.id);
    return { targetType: 'chat' as const, targetId: chat.id, chatId: chat.id, messageId: null, reportedUserId: null, evidence: null };
  }

  return {
    /** Files a report (201); 400 unless exactly one target is named, 404 for one the reporter cannot see, 429 past the limit. */
    async createReport(reporter: UserRecord, input: ReportInput): Promise<ReportRecord> {
      const named = [input.messageId, input.userId, input.chatId].filter((t) => t !== undefined).length;
      if (named !== 1) throw invalid([{ name: 'messageId', reason: 'give exactly one of messageId, userId and chatId' }]);
      const target = await resolveTarget(reporter, input);
      // Counted once the target is known to be real: a typo costs nothing.
      await throttle.countReport(reporter.id);
      const text = input.text?.trim();
      return store.reports.insert({
        ...target,
        reporterId: reporter.id,
        reason: input.reason,
        text: text ? text : null,
        status: 'open',
        action: null,
        resolvedBy: null,
        resolvedAt: null,
        createdAt: clock.now(),
      });
    },

    /** A page newest first, of one status when given; `nextCursor` continues it. */
    async listReports(page: { status?: ReportStatus | undefined; cursor?: number | undefined; limit?: number | undefined }) {
      const limit = Math.min(page.limit ?? 50, REPORTS_PAGE_MAX);
      const found = await store.reports.list({ status: page.status, before: page.cursor, limit: limit + 1 });
      const reports = found.slice(0, limit);
      return found.length > limit ? { reports, nextCursor: reports.at(-1)!.id } : { reports };
    },

    /**
     * An admin sets the report's status and takes its action: `deleteMessage` (message reports)
     * erases the message as a delete by its author would; `disableUser` disables the reported
     * user (or the message's author). 400 for an action that does not fit, 404 for no report.
     */
    async reviewReport(id: number, review: ReportReview, actor: UserRecord): Promise<ReportRecord> {
      const report = await store.reports.findById(id);
      if (!report) throw notFound('Report');
      const action = review.action ?? 'none';
      if (review.status === 'open' && action !== 'none') throw invalid([{ name: 'action', reason: 'an open report takes no action' }]);
      if (action === 'deleteMessage' && report.targetType !== 'message') throw invalid([{ name: 'action', reason: 'deleteMessage is for message reports' }]);
      if (action === 'disableUser' && report.reportedUserId === null) throw invalid([{ name: 'action', reason: 'a chat report names no user to disable' }]);
      if (action === 'deleteMessage' && report.messageId !== null) {
        const message = await store.messages.findById(report.messageId);
        if (message && message.deletedAt === null) {
          await eraseMessage(message, actor.id);
          await audit.record({
            actorId: actor.id,
            action: 'message.delete',
            targetType: 'message',
            targetId: message.uuid,
            chatId: message.chatId,
            details: { authorId: message.authorId, reportId: report.id },
          });
        }
      }
      // Its own entry (user.disable); an account already gone has nothing left to disable.
      if (action === 'disableUser' && (await store.users.findById(report.reportedUserId!))) await admin.disableUser(report.reportedUserId!, actor);
      const resolved = {
        status: review.status,
        action: review.status === 'open' ? null : action,
        resolvedBy: review.status === 'open' ? null : actor.id,
        resolvedAt: review.status === 'open' ? null : clock.now(),
      };
      await store.reports.update(report.id, resolved);
      await audit.record({
        actorId: actor.id,
        action: 'report.review',
        targetType: 'report',
        targetId: report.id,
        chatId: report.chatId,
        details: { status: review.status, action, reason: report.reason, targetType: report.targetType, targetId: report.targetId },
      });
      return { ...report, ...resolved };
    },
  };
}
