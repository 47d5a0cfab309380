/**
 * Migration 0011: uploads in progress hold a lease (issue 24). A node renews it while the
 * bytes arrive; once it has run out (the node crashed mid-upload) the sweep frees the name
 * and removes what was written, instead of a 409 for the name until the day-long TTL.
 * Existing rows get no lease and are left to that TTL, as before.
 */
import type { Kysely, Migration } from 'kysely';
import type { Database } from './schema.js';

export const uploadLeasesMigration = (): Migration => ({
  async up(db: Kysely<Database>) {
    await db.schema.alterTable('media').addColumn('upload_lease_until', 'bigint').execute();
    await db.schema.createIndex('media_upload_lease').on('media').column('upload_lease_until').execute();
  },
});
