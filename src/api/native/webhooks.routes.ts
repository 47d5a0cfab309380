/**
 * The admin webhook routes (issue 22): register, list, show and remove outgoing webhooks, and
 * list a webhook's deliveries. Every one needs an administrator's session.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { WEBHOOK_EVENTS } from '../../core/webhooks.service.js';
import type { DeliveryRecord, WebhookRecord } from '../../ports/store.js';
import type { NativeOptions } from './options.js';
import { Ok } from './users.schemas.js';
import { PageQuery, pageOf } from '../../edge/paging.js';

const tags = ['admin'];
const adminOnly = { auth: 'admin' } as const;

const Webhook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  chatIds: Type.Union([Type.Array(Type.String()), Type.Null()]),
  createdAt: Type.String(),
});

const CreatedWebhook = Type.Object({ ...Webhook.properties, secret: Type.String({ description: 'The signature key; shown only here' }) });

const Delivery = Type.Object({
  id: Type.Integer(),
  event: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String(),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});

const CreateBody = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  events: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 32, description: `Any of ${WEBHOOK_EVENTS.join(', ')}` }),
  chatIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 1000 })),
  secret: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })),
});

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

const iso = (ms: number) => new Date(ms).toISOString();

function presentWebhook(w: WebhookRecord) {
  return { id: w.id, url: w.url, events: w.events, chatIds: w.chatIds, createdAt: iso(w.createdAt) };
}

function presentDelivery(d: DeliveryRecord) {
  return {
    id: d.id,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError,
    lastStatus: d.lastStatus,
    createdAt: iso(d.createdAt),
    nextAttemptAt: d.status === 'pending' ? iso(d.dueAt) : null,
    finishedAt: d.finishedAt === null ? null : iso(d.finishedAt),
  };
}

export async function webhooksRoutes(parent: FastifyInstance, { core }: NativeOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { webhooks } = core;

  app.post(
    '/admin/webhooks',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'Register an outgoing webhook; the answer holds its signature secret, shown only here',
        body: CreateBody,
        response: { 200: CreatedWebhook },
      },
    },
    async (req) => {
      const hook = await webhooks.create(req.body);
      return { ...presentWebhook(hook), secret: hook.secret };
    },
  );

  app.get(
    '/admin/webhooks',
    { config: adminOnly, schema: { tags, summary: 'Every outgoing webhook', querystring: PageQuery(), response: { 200: Type.Array(Webhook) } } },
    async (req, reply) =>
      pageOf(req, reply, await webhooks.list(), { list: 'webhooks', key: (w) => [w.createdAt, w.id], shape: ['number', 'string'], query: req.query }).map(
        presentWebhook,
      ),
  );

  app.get(
    '/admin/webhooks/:id',
    { config: adminOnly, schema: { tags, summary: 'One outgoing webhook', params: Params, response: { 200: Webhook } } },
    async (req) => presentWebhook(await webhooks.get(req.params.id)),
  );

  app.delete(
    '/admin/webhooks/:id',
    { config: adminOnly, schema: { tags, summary: 'Remove a webhook and its pending and past deliveries', params: Params, response: { 200: Ok } } },
    async (req) => {
      await webhooks.delete(req.params.id);
      return {};
    },
  );

  app.get(
    '/admin/webhooks/:id/deliveries',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'The webhook’s newest 100 deliveries, newest first',
        params: Params,
        querystring: PageQuery(),
        response: { 200: Type.Array(Delivery) },
      },
    },
    async (req, reply) =>
      pageOf(req, reply, await webhooks.deliveries(req.params.id), { list: 'deliveries', key: (d) => [-d.id], shape: ['number'], query: req.query }).map(
        presentDelivery,
      ),
  );
}
