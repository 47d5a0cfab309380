/**
 * The audit log and reports: `GET /admin/audit` (admins), `POST /reports` (any user) and the
 * admins' `GET`/`PUT /admin/reports…`. Thin: each calls one core function.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AuditEntry } from '../../ports/store.js';
import * as S from './moderation.schemas.js';
import type { NativeOptions } from './options.js';
import { compact, iso } from './users.presenters.js';

const tags = ['admin'];
const adminOnly = { auth: 'admin' } as const;

/** An audit entry on the wire. */
export const presentAuditEntry = (e: AuditEntry) =>
  compact({
    id: e.id,
    actorId: e.actorId,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    chatId: e.chatId,
    details: e.details,
    createdAt: iso(e.createdAt),
  });

/** Registers the audit and report routes. */
export async function moderationRoutes(parent: FastifyInstance, { core }: NativeOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/admin/audit',
    {
      config: adminOnly,
      schema: { tags, summary: 'The audit log of admin and moderator actions, newest first', querystring: S.PageQuery, response: { 200: S.AuditPage } },
    },
    async (req) => {
      const page = await core.audit.list(req.query);
      return { entries: page.entries.map(presentAuditEntry), nextCursor: page.nextCursor ?? null };
    },
  );
}
