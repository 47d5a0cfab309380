/**
 * The audit log and reports: `GET /admin/audit` (admins), `POST /reports` (any user) and the
 * admins' `GET`/`PUT /admin/reports…`. Thin: each calls one core function.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AuditEntry, ReportRecord } from '../../ports/store.js';
import * as S from './moderation.schemas.js';
import type { NativeOptions } from './options.js';
import { compact, iso } from './users.presenters.js';
import { pageUrl, setLinks } from '../../edge/paging.js';

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

/** What the reporter gets back. */
const presentReceipt = (r: ReportRecord) => ({
  id: r.id,
  targetType: r.targetType,
  targetId: r.targetId,
  reason: r.reason,
  status: r.status,
  createdAt: iso(r.createdAt),
});

/** A report as admins see it, with its evidence. */
export const presentReport = (r: ReportRecord) =>
  compact({
    ...presentReceipt(r),
    reporterId: r.reporterId,
    chatId: r.chatId,
    reportedUserId: r.reportedUserId,
    text: r.text,
    evidence:
      r.evidence &&
      compact({
        messageId: r.evidence.messageUuid,
        authorId: r.evidence.authorId,
        text: r.evidence.text,
        sentAt: iso(r.evidence.sentAt),
        editedAt: r.evidence.editedAt === null ? null : iso(r.evidence.editedAt),
        attachments: r.evidence.attachments,
      }),
    action: r.action,
    resolvedBy: r.resolvedBy,
    resolvedAt: r.resolvedAt === null ? null : iso(r.resolvedAt),
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
    async (req, reply) => {
      const page = await core.audit.list(req.query);
      if (page.nextCursor) setLinks(reply, [{ rel: 'next', url: pageUrl(req, String(page.nextCursor)) }]);
      return { entries: page.entries.map(presentAuditEntry), nextCursor: page.nextCursor ?? null };
    },
  );

  app.post(
    '/reports',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['reports'],
        summary: 'Report a message, a user or a chat the caller can see, to the administrators',
        body: S.ReportBody,
        response: { 201: S.ReportReceipt },
      },
    },
    async (req, reply) => reply.code(201).send(presentReceipt(await core.reports.createReport(req.auth.user, req.body))),
  );

  app.get(
    '/admin/reports',
    {
      config: adminOnly,
      schema: { tags, summary: 'Reports newest first, of one status when given', querystring: S.ReportsQuery, response: { 200: S.ReportsPage } },
    },
    async (req, reply) => {
      const page = await core.reports.listReports(req.query);
      if (page.nextCursor) setLinks(reply, [{ rel: 'next', url: pageUrl(req, String(page.nextCursor)) }]);
      return { reports: page.reports.map(presentReport), nextCursor: page.nextCursor ?? null };
    },
  );

  app.put(
    '/admin/reports/:id',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'Resolve or dismiss a report, optionally deleting the message or disabling the user',
        params: S.ReportParams,
        body: S.ReviewBody,
        response: { 200: S.Report },
      },
    },
    async (req) => presentReport(await core.reports.reviewReport(req.params.id, req.body, req.auth.user)),
  );
}
