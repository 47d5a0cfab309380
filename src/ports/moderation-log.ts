/**
 * Where moderator actions (group role changes, bans, a moderator's delete) are recorded: the
 * audit log's `record` (issue 21, part B) has this shape. Kept as a port so the chats and
 * messages services name one seam, not the audit service itself.
 */
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
  record(entry: ModerationEntry): Promise<unknown>;
}
