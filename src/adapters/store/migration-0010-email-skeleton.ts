/**
 * Migration 0010: look-alike email addresses (issue 24). Adds `users.email_skeleton`, unique,
 * and fills it for existing rows; rewrites `email_key` to the normalised key where that key
 * is free. Existing databases keep working: when two existing accounts already look alike,
 * the older keeps the skeleton and the newer gets none (both can still log in; a third
 * look-alike is refused), and a key that another row already holds is left as it was.
 */
import type { Kysely, Migration } from 'kysely';
// The rules of what an address looks like live with the account rules, not in the adapter.
import { emailKeyOf, emailSkeletonOf } from '../../core/account-rules.js';
import type { Database } from './schema.js';

const PAGE = 1000;

export const emailSkeletonMigration = (): Migration => ({
  async up(db: Kysely<Database>) {
    await db.schema.alterTable('users').addColumn('email_skeleton', 'text').execute();
    const taken = new Set<string>();
    const rows: Array<{ id: number; email: string; email_key: string | null }> = [];
    for (let after = -1; ; ) {
      const page = await db
        .selectFrom('users')
        .select(['id', 'email', 'email_key'])
        .where('email', 'is not', null)
        .where('id', '>', after)
        .orderBy('id')
        .limit(PAGE)
        .execute();
      for (const row of page) {
        if (row.email === null) continue;
        rows.push({ id: Number(row.id), email: row.email, email_key: row.email_key });
        if (row.email_key !== null) taken.add(row.email_key);
      }
      if (page.length < PAGE) break;
      after = Number(page[page.length - 1]!.id);
    }
    const skeletons = new Set<string>();
    for (const row of rows) {
      const key = emailKeyOf(row.email);
      const skeleton = emailSkeletonOf(row.email);
      const patch: { email_key?: string; email_skeleton?: string } = {};
      if (key !== row.email_key && !taken.has(key)) {
        taken.add(key);
        patch.email_key = key;
      }
      if (!skeletons.has(skeleton)) {
        skeletons.add(skeleton);
        patch.email_skeleton = skeleton;
      }
      if (Object.keys(patch).length > 0) await db.updateTable('users').set(patch).where('id', '=', row.id).execute();
    }
    await db.schema.createIndex('users_email_skeleton_unique').on('users').column('email_skeleton').unique().execute();
  },
});
