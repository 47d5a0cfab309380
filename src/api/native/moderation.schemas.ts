/** Wire schemas of the audit log and reports (`/admin/audit`, `/reports`, `/admin/reports`). */
import { Type } from 'typebox';
import { AUDIT_PAGE_MAX } from '../../core/audit.service.js';
import { REPORTS_PAGE_MAX } from '../../core/reports.service.js';
import { MAX_RECORD_ID } from '../validation.js';

const Cursor = Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RECORD_ID, description: 'The `nextCursor` of the previous page.' }));
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: AUDIT_PAGE_MAX, default: 50 }));
const NextCursor = Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page.' });

export const PageQuery = Type.Object({ cursor: Cursor, limit: Limit });

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  actorId: Type.Optional(Type.Integer({ description: 'The admin or moderator; absent for the machine’s operator (the `parley` CLI).' })),
  action: Type.String({ description: 'What was done, e.g. `user.disable`, `report.resolve`.' }),
  targetType: Type.String({ description: '`user`, `session`, `message`, `chat`, `report` or `signing-key`.' }),
  targetId: Type.String(),
  chatId: Type.Optional(Type.String()),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  createdAt: Type.String({ format: 'date-time' }),
});

export const AuditPage = Type.Object({ entries: Type.Array(AuditEntry), nextCursor: NextCursor });

export const REPORT_TEXT_MAX = 2000;
const Reason = Type.Union([Type.Literal('spam'), Type.Literal('abuse'), Type.Literal('illegal'), Type.Literal('other')]);
const Status = Type.Union([Type.Literal('open'), Type.Literal('resolved'), Type.Literal('dismissed')]);
const Action = Type.Union([Type.Literal('deleteMessage'), Type.Literal('disableUser'), Type.Literal('none')]);

export const ReportBody = Type.Object(
  {
    messageId: Type.Optional(Type.String({ format: 'uuid', description: 'A message the caller can see (MessageInfo `id`).' })),
    userId: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RECORD_ID })),
    chatId: Type.Optional(Type.String({ format: 'uuid', description: 'A chat the caller is a member of.' })),
    reason: Reason,
    text: Type.Optional(Type.String({ maxLength: REPORT_TEXT_MAX })),
  },
  { description: 'Exactly one of messageId, userId and chatId.' },
);

export const ReportReceipt = Type.Object({
  id: Type.Integer(),
  targetType: Type.Union([Type.Literal('message'), Type.Literal('user'), Type.Literal('chat')]),
  targetId: Type.String(),
  reason: Reason,
  status: Status,
  createdAt: Type.String({ format: 'date-time' }),
});

const Evidence = Type.Object(
  {
    messageId: Type.String({ format: 'uuid' }),
    authorId: Type.Integer(),
    text: Type.String(),
    sentAt: Type.String({ format: 'date-time' }),
    editedAt: Type.Optional(Type.String({ format: 'date-time' })),
    attachments: Type.Array(Type.Object({ id: Type.String(), fileType: Type.String(), mime: Type.String(), fileSize: Type.Integer() })),
  },
  { description: 'The reported message as it was when reported (kept after its deletion).' },
);

export const Report = Type.Object({
  ...ReportReceipt.properties,
  reporterId: Type.Optional(Type.Integer({ description: 'Absent once the reporter’s account is gone.' })),
  chatId: Type.Optional(Type.String()),
  reportedUserId: Type.Optional(Type.Integer({ description: 'The reported user, or the reported message’s author.' })),
  text: Type.Optional(Type.String()),
  evidence: Type.Optional(Evidence),
  action: Type.Optional(Action),
  resolvedBy: Type.Optional(Type.Integer()),
  resolvedAt: Type.Optional(Type.String({ format: 'date-time' })),
});

export const ReportsQuery = Type.Object({
  status: Type.Optional(Status),
  cursor: Cursor,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: REPORTS_PAGE_MAX, default: 50 })),
});

export const ReportsPage = Type.Object({ reports: Type.Array(Report), nextCursor: NextCursor });

export const ReportParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_RECORD_ID }) });

export const ReviewBody = Type.Object({ status: Status, action: Type.Optional(Action) });
