import type { Kysely } from 'kysely';
import type { TwoFactorRepository } from '../../ports/store.js';
import type { Database } from './schema.js';

const orNull = (value: number | string | null) => (value === null ? null : Number(value));

/** TOTP secrets and recovery codes over Kysely; `db` may be a transaction. */
export function createTwoFactorRepository(db: Kysely<Database>): TwoFactorRepository {
  return {
    async findByUser(userId) {
      const row = await db.selectFrom('two_factor').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return (
        row && {
          userId: Number(row.user_id),
          secret: row.secret,
          enabledAt: orNull(row.enabled_at),
          lastStep: orNull(row.last_step),
          createdAt: Number(row.created_at),
        }
      );
    },
    async savePending(r) {
      await db
        .insertInto('two_factor')
        .values({ user_id: r.userId, secret: r.secret, enabled_at: null, last_step: null, created_at: r.createdAt })
        // Never over an enabled secret: that one is only removed by `delete`.
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ secret: r.secret, created_at: r.createdAt }).where('two_factor.enabled_at', 'is', null))
        .execute();
    },
    async enable(userId, enabledAt, step, codes) {
      await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      if (codes.length > 0)
        await db
          .insertInto('recovery_codes')
          .values(codes.map((c) => ({ id: c.id, user_id: c.userId, code_hash: c.codeHash, used_at: null })))
          .execute();
      await db.updateTable('two_factor').set({ enabled_at: enabledAt, last_step: step }).where('user_id', '=', userId).execute();
    },
    async claimStep(userId, step) {
      const result = await db
        .updateTable('two_factor')
        .set({ last_step: step })
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async unusedCodes(userId) {
      const rows = await db.selectFrom('recovery_codes').selectAll().where('user_id', '=', userId).where('used_at', 'is', null).orderBy('id').execute();
      return rows.map((r) => ({ id: r.id, userId: Number(r.user_id), codeHash: r.code_hash }));
    },
    async useCode(id, usedAt) {
      const result = await db.updateTable('recovery_codes').set({ used_at: usedAt }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async delete(userId) {
      await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await db.deleteFrom('two_factor').where('user_id', '=', userId).execute();
    },
  };
}
