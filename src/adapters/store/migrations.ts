/**
 * Schema migrations, run at start by `migrateToLatest`. One list serves both engines; the
 * few differences (identity columns) are chosen by `dialect`. Never edit a migration that
 * has shipped: add a new one.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { emailSkeletonMigration } from './migration-0010-email-skeleton.js';
import { uploadLeasesMigration } from './migration-0011-upload-leases.js';
import { searchMigration } from './migration-0012-search.js';
import { messageUuidsMigration } from './migration-0013-message-uuids.js';
import { vappConversationsMigration } from './migration-0014-vapp-conversations.js';
import { twoFactorMigration } from './migration-0015-two-factor.js';
import { webhooksMigration } from './migration-0016-webhooks.js';
import { botsMigration } from './migration-0017-bots.js';
import { incomingHooksMigration } from './migration-0018-incoming-hooks.js';
import { messagingMigration } from './migration-0019-messaging.js';
import { oidcMigration } from './migration-0020-oidc.js';
import { presenceMigration } from './migration-0021-presence.js';
import { safetyMigration } from './migration-0022-safety.js';
import { blocksRolesMigration } from './migration-0023-blocks-roles.js';
import { threadsMigration } from './migration-0024-threads.js';

export type { Dialect } from './dialect.js';
import type { Dialect } from './dialect.js';

type MigrationFactory = (dialect: Dialect) => Migration;

const migrations: Record<string, MigrationFactory> = {
  '0001_accounts_and_sessions': (dialect) => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity()))
        .addColumn('uid', 'text', (c) => c.notNull().unique())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('email', 'text')
        .addColumn('email_key', 'text')
        .addColumn('about', 'text')
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('account_key_hash', 'text')
        .addColumn('last_seen_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('users_username_unique').on('users').column('username').unique().execute();
      await db.schema.createIndex('users_email_key_unique').on('users').column('email_key').unique().execute();

      await db.schema
        .createTable('device_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text')
        .addColumn('device_name', 'text')
        .addColumn('device_model', 'text')
        .addColumn('push_token', 'text')
        .addColumn('push_transport', 'text')
        .addColumn('ip_address', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('device_sessions_user_device_unique').on('device_sessions').columns(['user_id', 'device_id']).unique().execute();

      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('algorithm', 'text', (c) => c.notNull())
        .addColumn('private_pem', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  }),
  '0002_media': () => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('media')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('file_type', 'text', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('file_size', 'bigint', (c) => c.notNull())
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('preview_width', 'integer')
        .addColumn('preview_height', 'integer')
        .addColumn('ready', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('attached_as', 'text')
        .addColumn('attached_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      // Ids become file names: `Foo` and `foo` would be one file on a case-insensitive disk.
      await db.schema.createIndex('media_id_fold_unique').on('media').expression(sql`lower(id)`).unique().execute();
      await db.schema.createIndex('media_owner_use').on('media').columns(['owner_id', 'attached_as']).execute();
      await db.schema.createIndex('media_unattached_created').on('media').columns(['attached_as', 'created_at']).execute();
    },
  }),
  '0003_chats_messages_contacts': (dialect) => ({
    async up(db: Kysely<any>) {
      const flag = (name: string) => (t: any) => t.addColumn(name, 'integer', (c: any) => c.notNull().defaultTo(0));
      await db.schema
        .createTable('chats')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text')
        .addColumn('is_personal', 'integer', (c) => c.notNull())
        .addColumn('personal_key', 'text')
        // Null for a public room opened by an anonymous reader.
        .addColumn('owner_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('room_name', 'text')
        .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('last_activity_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('chats_personal_key_unique').on('chats').column('personal_key').unique().execute();
      await db.schema.createIndex('chats_room_name_unique').on('chats').column('room_name').unique().execute();

      let members = db.schema
        .createTable('chat_members')
        .addColumn('chat_id', 'text', (c) => c.notNull().references('chats.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'));
      for (const name of ['is_member', 'is_muted', 'is_archived', 'is_removed_on_device', 'has_blocked_chat', 'is_blocked']) members = flag(name)(members);
      await members
        .addColumn('last_read_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('added_at', 'bigint', (c) => c.notNull())
        .addColumn('removed_at', 'bigint')
        .addPrimaryKeyConstraint('chat_members_pk', ['chat_id', 'user_id'])
        .execute();
      await db.schema.createIndex('chat_members_user').on('chat_members').columns(['user_id', 'is_member']).execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', 'integer', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity()))
        .addColumn('chat_id', 'text', (c) => c.notNull().references('chats.id').onDelete('cascade'))
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('author_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('local_id', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('is_visible', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('file_exists', 'integer')
        .addColumn('preview_exists', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('edited_at', 'bigint')
        .addColumn('deleted_at', 'bigint')
        .execute();
      await db.schema.createIndex('messages_chat_seq_unique').on('messages').columns(['chat_id', 'seq']).unique().execute();
      await db.schema.createIndex('messages_author_local_id_unique').on('messages').columns(['author_id', 'local_id']).unique().execute();

      await db.schema
        .createTable('read_marks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('chat_id', 'text', (c) => c.notNull().references('chats.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('read_marks_chat_seq').on('read_marks').columns(['chat_id', 'seq']).execute();

      await db.schema
        .createTable('contacts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text')
        .addColumn('is_favorite', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_blocked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('contacts_owner_user_unique').on('contacts').columns(['owner_id', 'user_id']).unique().execute();
    },
  }),
  '0004_event_log': (dialect) => ({
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('events')
        .addColumn('id', 'integer', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity()))
        .addColumn('chat_id', 'text')
        .addColumn('message_id', 'integer')
        // 1: for the chat's current members (no recipient rows); 0: for the rows in event_recipients.
        .addColumn('for_members', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_created_at').on('events').column('created_at').execute();
      await db.schema.createIndex('events_chat').on('events').columns(['chat_id', 'id']).execute();
      await db.schema.createIndex('events_message').on('events').column('message_id').execute();
      await db.schema
        .createTable('event_recipients')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('event_id', 'integer', (c) => c.notNull().references('events.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('event_recipients_pk', ['user_id', 'event_id'])
        .execute();
      await db.schema.createIndex('event_recipients_event').on('event_recipients').column('event_id').execute();
      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  }),
  '0005_chat_media': () => ({
    async up(db: Kysely<any>) {
      // A placeholder attachment (sent before its file) is claimed while its bytes arrive.
      await db.schema
        .alterTable('media')
        .addColumn('uploading', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('chat_images')
        .addColumn('chat_id', 'text', (c) => c.notNull().references('chats.id').onDelete('cascade'))
        .addColumn('media_id', 'text', (c) => c.notNull().references('media.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('chat_images_pk', ['chat_id', 'media_id'])
        .execute();
      await db.schema
        .createTable('message_attachments')
        .addColumn('message_id', 'integer', (c) => c.notNull().references('messages.id').onDelete('cascade'))
        .addColumn('media_id', 'text', (c) => c.notNull().references('media.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('message_attachments_pk', ['message_id', 'media_id'])
        .execute();
      await db.schema.createIndex('message_attachments_media').on('message_attachments').column('media_id').execute();
      await db.schema.createIndex('chat_images_media').on('chat_images').column('media_id').execute();
    },
  }),
  // Uploads shared by every node (adapters/blobs/postgres.ts). On SQLite uploads live on
  // disk, so there is nothing to create.
  '0006_blobs': (dialect) => ({
    async up(db: Kysely<any>) {
      if (dialect !== 'postgres') return;
      await db.schema
        .createTable('blobs')
        .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
        // Null while the bytes are being written: a blob gets its key only when complete.
        .addColumn('key', 'text')
        .addColumn('size', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('chunk_size', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        // Touched by every chunk while writing, so that only abandoned writes look stale.
        .addColumn('modified_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('blobs_key_unique').on('blobs').column('key').unique().execute();
      await db.schema.createIndex('blobs_writing').on('blobs').column('id').where(sql.ref('key'), 'is', null).execute();
      await db.schema
        .createTable('blob_chunks')
        .addColumn('blob_id', 'bigint', (c) => c.notNull().references('blobs.id').onDelete('cascade'))
        .addColumn('idx', 'integer', (c) => c.notNull())
        .addColumn('data', 'bytea', (c) => c.notNull())
        .addPrimaryKeyConstraint('blob_chunks_pk', ['blob_id', 'idx'])
        .execute();
      // Out of line and uncompressed: uploads are mostly compressed already (images, video),
      // and a range read then fetches only the bytes it asks for (substring on TOAST).
      await sql`alter table blob_chunks alter column data set storage external`.execute(db);
    },
  }),
  '0007_vonage': () => ({
    async up(db: Kysely<any>) {
      // The user's id in the Vonage Conversation API, once provisioned (V-app API).
      await db.schema.alterTable('users').addColumn('vonage_user_id', 'text').execute();
      await db.schema.createIndex('users_vonage_user_id_unique').on('users').column('vonage_user_id').unique().execute();
    },
  }),
  '0008_admin': () => ({
    async up(db: Kysely<any>) {
      // 'user' or 'admin' (the admin CLI and /admin routes); disabled accounts cannot log in.
      await db.schema
        .alterTable('users')
        .addColumn('role', 'text', (c) => c.notNull().defaultTo('user'))
        .execute();
      await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute();
    },
  }),
  '0009_push_outbox': (dialect) => ({
    async up(db: Kysely<any>) {
      // Pushes waiting to go out, one row per device session; written in the send's transaction.
      await db.schema
        .createTable('push_outbox')
        .addColumn('id', 'integer', (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity()))
        // Logout or a deleted session takes its pending pushes with it.
        .addColumn('session_id', 'text', (c) => c.notNull().references('device_sessions.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('chat_id', 'text', (c) => c.notNull())
        .addColumn('message_id', 'integer', (c) => c.references('messages.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('due_at', 'bigint', (c) => c.notNull())
        // A node that claimed the row holds it until then; past it (the node died) anyone may.
        .addColumn('lease_until', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('push_outbox_due').on('push_outbox').columns(['due_at', 'id']).execute();
      await db.schema.createIndex('push_outbox_session').on('push_outbox').column('session_id').execute();
      await db.schema.createIndex('push_outbox_message').on('push_outbox').column('message_id').execute();

      // One row per open native socket, refreshed by its node's heartbeat: "is this device online?" on every node.
      await db.schema
        .createTable('socket_presence')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull().references('device_sessions.id').onDelete('cascade'))
        .addColumn('node_id', 'text', (c) => c.notNull())
        .addColumn('seen_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('socket_presence_session').on('socket_presence').columns(['session_id', 'seen_at']).execute();
      await db.schema.createIndex('socket_presence_node').on('socket_presence').column('node_id').execute();

      // The send path asks for a chat's members' sessions that have a push token: only those rows are indexed.
      await db.schema.createIndex('device_sessions_push').on('device_sessions').column('user_id').where(sql.ref('push_token'), 'is not', null).execute();
    },
  }),
  // Later migrations live in files of their own (migration-<number>-<what>.ts).
  '0010_email_skeleton': emailSkeletonMigration,
  '0011_upload_leases': uploadLeasesMigration,
  '0012_search': (dialect) => searchMigration(dialect),
  '0013_message_uuids': messageUuidsMigration,
  '0014_vapp_conversations': vappConversationsMigration,
  '0015_two_factor': twoFactorMigration,
  '0016_webhooks': (dialect) => webhooksMigration(dialect),
  '0017_bots': botsMigration,
  '0018_incoming_hooks': incomingHooksMigration,
  '0019_messaging': (dialect) => messagingMigration(dialect),
  '0020_oidc': oidcMigration,
  '0021_presence': presenceMigration,
  '0022_safety': (dialect) => safetyMigration(dialect),
  '0023_blocks_roles': blocksRolesMigration,
  '0024_threads': threadsMigration,
};

/** The names of every migration, in order. */
export const migrationNames = () => Object.keys(migrations).sort();

class InCodeMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(Object.entries(migrations).map(([name, make]) => [name, make(this.dialect)]));
  }
}

/**
 * The schema PostgreSQL creates unqualified tables in (the first existing one on the
 * search_path). Kysely's migrator must be told: left unqualified, it takes a migration
 * table in any other schema of the database as its own.
 */
async function currentSchema(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('no schema on the search_path exists to create the tables in');
  return schema;
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<any>, dialect: Dialect): Promise<void> {
  // Unordered: migrations from parallel branches (e.g. 0002 landing after 0003) still apply.
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(dialect),
    allowUnorderedMigrations: true,
    ...(dialect === 'postgres' ? { migrationTableSchema: await currentSchema(db) } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
