/**
 * Where moderator actions (group role changes, bans, a moderator's delete) are recorded: the
 * audit service (`audit.service.ts`) is the one implementation, wired in `createCore`. The
 * moderation and messages services name this seam, not the audit service itself.
 */
import type { Repositories } from './store.js';

export interface ModerationEntry {
  actorId: number;
  /** `chat.role`, `chat.ban`, `chat.unban`, `message.moderatorDelete`. */
  action: string;
  targetType: 'user' | 'message';
  targetId: string | number;
  chatId?: string | null;
  details?: Record<string, unknown> | null;
}

export interface ModerationLog {
  /** Records `entry` through `tx` when given: in the action's own transaction, so it exists exactly when the change does. */
  record(entry: ModerationEntry, tx?: Repositories): Promise<unknown>;
}
