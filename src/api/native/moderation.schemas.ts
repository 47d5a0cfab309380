/** Wire schemas of the audit log and reports (`/admin/audit`, `/reports`, `/admin/reports`). */
import { Type } from 'typebox';
import { AUDIT_PAGE_MAX } from '../../core/audit.service.js';
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
