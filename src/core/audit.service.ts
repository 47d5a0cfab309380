/**
 * The audit log: every admin action (the `/admin` routes and the `parley` CLI, through the
 * admin service) and every moderator action records who did what to what. Entries are only
 * ever added; admins read them newest first at `GET /admin/audit`.
 */
import type { Clock } from '../ports/clock.js';
import type { AuditEntry, Repositories, Store } from '../ports/store.js';

/** What an action records. `actorId` null (or absent): the machine's operator, through the CLI. */
export interface AuditInput {
  actorId: number | null | undefined;
  action: string;
  targetType: string;
  targetId: string | number;
  chatId?: string | null | undefined;
  details?: Record<string, unknown> | null | undefined;
}

export type AuditService = ReturnType<typeof createAuditService>;

export const AUDIT_PAGE_MAX = 200;

/** Builds the audit service over the store. */
export function createAuditService(deps: { store: Store; clock: Clock }) {
  const { store, clock } = deps;
  return {
    /**
     * Records one action. Pass `tx` to record it in the action's own transaction (the entry
     * exists exactly when the change does); otherwise call it after the change is stored.
     */
    record(input: AuditInput, tx: Repositories = store): Promise<AuditEntry> {
      return tx.audit.insert({
        actorId: input.actorId ?? null,
        action: input.action,
        targetType: input.targetType,
        targetId: String(input.targetId),
        chatId: input.chatId ?? null,
        details: input.details ?? null,
        createdAt: clock.now(),
      });
    },

    /** A page newest first; `nextCursor` continues it (absent on the last page). */
    async list(page: { cursor?: number | undefined; limit?: number | undefined }): Promise<{ entries: AuditEntry[]; nextCursor?: number }> {
      const limit = Math.min(page.limit ?? 50, AUDIT_PAGE_MAX);
      const entries = await store.audit.newest({ before: page.cursor, limit: limit + 1 });
      const more = entries.length > limit;
      const shown = entries.slice(0, limit);
      return more ? { entries: shown, nextCursor: shown.at(-1)!.id } : { entries: shown };
    },
  };
}
