import type { Kysely, Selectable } from 'kysely';
import type { SessionRecord, SessionsRepository } from '../../ports/store.js';
import type { Database, DeviceSessionsTable } from './schema.js';
import { compileOnce } from './compiled-query.js';
import { asUniqueViolation } from './unique-violation.js';

const toRecord = (row: Selectable<DeviceSessionsTable>): SessionRecord => ({
  id: row.id,
  userId: Number(row.user_id),
  tokenId: row.token_id,
  deviceId: row.device_id,
  deviceName: row.device_name,
  deviceModel: row.device_model,
  pushToken: row.push_token,
  pushTransport: row.push_transport,
  ipAddress: row.ip_address,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const COLUMNS: Record<keyof Omit<SessionRecord, 'id' | 'userId' | 'createdAt'>, keyof DeviceSessionsTable> = {
  tokenId: 'token_id',
  deviceId: 'device_id',
  deviceName: 'device_name',
  deviceModel: 'device_model',
  pushToken: 'push_token',
  pushTransport: 'push_transport',
  ipAddress: 'ip_address',
  updatedAt: 'updated_at',
};

/** Device sessions over Kysely; `db` may be a transaction. */
export function createSessionsRepository(db: Kysely<Database>): SessionsRepository {
  // Every GET /users/me lists the caller's sessions.
  const listByUser = compileOnce(
    db,
    (q, userId: number) => q.selectFrom('device_sessions').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id'),
    [-1],
  );
  return {
    async insert(s) {
      try {
        await db
          .insertInto('device_sessions')
          .values({
            id: s.id,
            user_id: s.userId,
            token_id: s.tokenId,
            device_id: s.deviceId,
            device_name: s.deviceName,
            device_model: s.deviceModel,
            push_token: s.pushToken,
            push_transport: s.pushTransport,
            ip_address: s.ipAddress,
            created_at: s.createdAt,
            updated_at: s.updatedAt,
          })
          .execute();
      } catch (error) {
        throw asUniqueViolation(error, ['device_id']);
      }
    },
    async findById(id) {
      const row = await db.selectFrom('device_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async findByDevice(userId, deviceId) {
      const row = await db.selectFrom('device_sessions').selectAll().where('user_id', '=', userId).where('device_id', '=', deviceId).executeTakeFirst();
      return row && toRecord(row);
    },
    async listByUser(userId) {
      return (await listByUser(userId)).map(toRecord);
    },
    async countByUsers(userIds) {
      if (userIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('device_sessions')
        .select(['user_id', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('user_id', 'in', userIds)
        .groupBy('user_id')
        .execute();
      return new Map(rows.map((r) => [Number(r.user_id), Number(r.n)]));
    },
    async update(id, patch) {
      const values: Record<string, unknown> = {};
      for (const [key, column] of Object.entries(COLUMNS)) {
        const value = patch[key as keyof typeof patch];
        if (value !== undefined) values[column] = value;
      }
      if (Object.keys(values).length === 0) return;
      await db.updateTable('device_sessions').set(values).where('id', '=', id).execute();
    },
    async delete(id) {
      const result = await db.deleteFrom('device_sessions').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async deleteByUser(userId, exceptId) {
      let query = db.deleteFrom('device_sessions').where('user_id', '=', userId);
      if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
      const rows = await query.returning('id').execute();
      return rows.map((r) => r.id);
    },
  };
}
