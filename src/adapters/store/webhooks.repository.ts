import type { Kysely, Selectable } from 'kysely';
import type { DeliveryRecord, DeliveryStatus, WebhookRecord, WebhooksRepository } from '../../ports/store.js';
import type { Database, WebhookDeliveriesTable, WebhooksTable } from './schema.js';

const toWebhook = (row: Selectable<WebhooksTable>): WebhookRecord => ({
  id: row.id,
  url: row.url,
  events: JSON.parse(row.events) as string[],
  chatIds: row.chat_ids === null ? null : (JSON.parse(row.chat_ids) as string[]),
  secret: row.secret,
  createdAt: Number(row.created_at),
});

const toDelivery = (row: Selectable<WebhookDeliveriesTable>): DeliveryRecord => ({
  id: Number(row.id),
  webhookId: row.webhook_id,
  event: row.event,
  payload: row.payload,
  status: row.status as DeliveryStatus,
  attempts: Number(row.attempts),
  lastError: row.last_error,
  lastStatus: row.last_status === null ? null : Number(row.last_status),
  dueAt: Number(row.due_at),
  createdAt: Number(row.created_at),
  finishedAt: row.finished_at === null ? null : Number(row.finished_at),
});

/** Webhooks and their deliveries over Kysely; `db` may be a transaction. */
export function createWebhooksRepository(db: Kysely<Database>): WebhooksRepository {
  return {
    async insert(w) {
      await db
        .insertInto('webhooks')
        .values({
          id: w.id,
          url: w.url,
          events: JSON.stringify(w.events),
          chat_ids: w.chatIds === null ? null : JSON.stringify(w.chatIds),
          secret: w.secret,
          created_at: w.createdAt,
        })
        .execute();
    },
    async findById(id) {
      const row = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toWebhook(row);
    },
    async list() {
      return (await db.selectFrom('webhooks').selectAll().orderBy('created_at').orderBy('id').execute()).map(toWebhook);
    },
    async delete(id) {
      // Explicitly, not only by the cascade: SQLite may run without foreign keys enforced.
      await db.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
      const result = await db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async enqueue(rows) {
      if (rows.length === 0) return;
      await db
        .insertInto('webhook_deliveries')
        .values(
          rows.map((r) => ({
            webhook_id: r.webhookId,
            event: r.event,
            payload: r.payload,
            status: 'pending',
            due_at: r.dueAt,
            created_at: r.createdAt,
            last_error: null,
            last_status: null,
            leased_until: null,
            finished_at: null,
          })),
        )
        .execute();
    },
    async dueHeads(now, limit, webhookId) {
      let query = db.selectFrom('webhook_deliveries as d').selectAll('d').where('d.status', '=', 'pending');
      if (webhookId !== undefined) query = query.where('d.webhook_id', '=', webhookId);
      const rows = await query
        .where((eb) =>
          eb(
            'd.id',
            '=',
            eb
              .selectFrom('webhook_deliveries as p')
              .select((p) => p.fn.min('p.id').as('first'))
              .whereRef('p.webhook_id', '=', 'd.webhook_id')
              .where('p.status', '=', 'pending'),
          ),
        )
        .where('d.due_at', '<=', now)
        .where((eb) => eb.or([eb('d.leased_until', 'is', null), eb('d.leased_until', '<', now)]))
        .orderBy('d.id')
        .limit(limit)
        .execute();
      return rows.map(toDelivery);
    },
    async lease(id, now, until) {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({ leased_until: until })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', now)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async finish(id, status, o, at) {
      await db
        .updateTable('webhook_deliveries')
        .set({ status, attempts: o.attempts, last_error: o.lastError, last_status: o.lastStatus, finished_at: at, leased_until: null })
        .where('id', '=', id)
        .execute();
    },
    async reschedule(id, o, dueAt) {
      await db
        .updateTable('webhook_deliveries')
        .set({ attempts: o.attempts, last_error: o.lastError, last_status: o.lastStatus, due_at: dueAt, leased_until: null })
        .where('id', '=', id)
        .execute();
    },
    async listDeliveries(webhookId, limit) {
      const rows = await db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toDelivery);
    },
    async prune(before) {
      await db.deleteFrom('webhook_deliveries').where('status', '<>', 'pending').where('finished_at', '<', before).execute();
    },
  };
}
