/**
 * Table shapes as Kysely sees them, shared by the SQLite and PostgreSQL adapters.
 * Times are epoch milliseconds (BIGINT), flags 0/1 integers, so both engines return the
 * same JavaScript values and one set of repositories serves both.
 */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  uid: string;
  username: string;
  display_name: string;
  email: string | null;
  email_key: string | null;
  /** Added by 0010: the confusable skeleton of the address (unique; null for old look-alikes). */
  email_skeleton: string | null;
  about: string | null;
  password_hash: string;
  account_key_hash: string | null;
  last_seen_at: number | null;
  created_at: number;
  updated_at: number;
  vonage_user_id: string | null;
  role: Generated<string>;
  disabled_at: number | null;
  /** Added by 0017: 1 for a bot (API keys only, no password login). */
  is_bot: Generated<number>;
  /** Added by 0019: the presence the user chose ('away', 'dnd', 'invisible'); null: automatic. */
  presence_status: string | null;
}

export interface DeviceSessionsTable {
  id: string;
  user_id: number;
  token_id: string;
  device_id: string | null;
  device_name: string | null;
  device_model: string | null;
  push_token: string | null;
  push_transport: string | null;
  ip_address: string | null;
  created_at: number;
  updated_at: number;
}

export interface SigningKeysTable {
  kid: string;
  algorithm: string;
  private_pem: string;
  public_jwk: string;
  created_at: number;
}

export interface ChatsTable {
  id: string;
  title: string | null;
  is_personal: number;
  personal_key: string | null;
  owner_id: number | null;
  room_name: string | null;
  /** Added by 0022: the chat's own message retention in days (null: the server's). */
  retention_days: Generated<number | null>;
  last_seq: number;
  last_activity_at: number;
  created_at: number;
  updated_at: number;
}

export interface ChatMembersTable {
  chat_id: string;
  user_id: number;
  is_member: number;
  is_muted: number;
  is_archived: number;
  is_removed_on_device: number;
  has_blocked_chat: number;
  is_blocked: number;
  last_read_seq: number;
  added_at: number;
  removed_at: number | null;
  /** Added by 0016: 'mentions' when the member is notified of mentions only; null otherwise (muted: is_muted). */
  notify: Generated<string | null>;
  /** Added by 0023: 'admin' for a group admin; null for a plain member (the owner is chats.owner_id). */
  role: Generated<string | null>;
}

export interface MessagesTable {
  id: Generated<number>;
  /** Added by 0013: the public id (UUIDv7), unique; filled for rows from before. */
  uuid: string;
  chat_id: string;
  seq: number;
  author_id: number;
  local_id: string;
  text: string;
  is_visible: number;
  file_exists: number | null;
  preview_exists: number | null;
  created_at: number;
  updated_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  reply_to_id: number | null;
  thread_id: number | null;
  /** 1 once the message had a thread reply (migration 0024); a hint for views. */
  has_thread: Generated<number>;
  /** Added by 0023: the moderator who deleted the message; null when its author did (or it is not deleted). */
  deleted_by: Generated<number | null>;
}

export interface ReadMarksTable {
  id: string;
  chat_id: string;
  user_id: number;
  seq: number;
  created_at: number;
}

export interface ContactsTable {
  id: string;
  owner_id: number;
  user_id: number;
  name: string | null;
  is_favorite: number;
  is_blocked: number;
  created_at: number;
  updated_at: number;
}

export interface EventsTable {
  id: Generated<number>;
  chat_id: string | null;
  message_id: number | null;
  for_members: number;
  payload: string;
  created_at: number;
}

export interface EventRecipientsTable {
  user_id: number;
  event_id: number;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface MediaTable {
  id: string;
  owner_id: number;
  file_type: string;
  mime: string;
  file_size: number;
  width: number | null;
  height: number | null;
  preview_width: number | null;
  preview_height: number | null;
  ready: number;
  attached_as: string | null;
  attached_at: number | null;
  created_at: number;
  uploading: Generated<number>;
  /** Added by 0011: an upload in progress holds the row until then (null: none, or from before). */
  upload_lease_until: number | null;
}

export interface ChatImagesTable {
  chat_id: string;
  media_id: string;
  created_at: number;
}

export interface MessageAttachmentsTable {
  message_id: number;
  media_id: string;
  position: number;
}

export interface PushOutboxTable {
  id: Generated<number>;
  session_id: string;
  user_id: number;
  chat_id: string;
  message_id: number | null;
  kind: string;
  payload: string;
  attempts: Generated<number>;
  due_at: number;
  lease_until: Generated<number>;
  created_at: number;
}

export interface SocketPresenceTable {
  id: string;
  session_id: string;
  node_id: string;
  seen_at: number;
  /** Added by 0021: the socket's user (null on rows written before it). */
  user_id: number | null;
  /** Added by 0021: 1 once the socket sent no frame for PRESENCE_AWAY_SECONDS. */
  idle: Generated<number>;
}

/** Added by 0014: a chat's conversation at the Vonage Conversation API. */
export interface VonageConversationsTable {
  chat_id: string;
  conversation_id: string;
  created_at: number;
}

/** Added by 0014: an image URL set through the V-app that is not one of Parley's uploads. */
export interface UserImageUrlsTable {
  user_id: number;
  url: string;
  set_at: number;
}

export interface Database {
  events: EventsTable;
  event_recipients: EventRecipientsTable;
  settings: SettingsTable;
  users: UsersTable;
  device_sessions: DeviceSessionsTable;
  signing_keys: SigningKeysTable;
  chats: ChatsTable;
  chat_members: ChatMembersTable;
  messages: MessagesTable;
  read_marks: ReadMarksTable;
  contacts: ContactsTable;
  media: MediaTable;
  chat_images: ChatImagesTable;
  message_attachments: MessageAttachmentsTable;
  push_outbox: PushOutboxTable;
  socket_presence: SocketPresenceTable;
  vonage_conversations: VonageConversationsTable;
  user_image_urls: UserImageUrlsTable;
  two_factor: TwoFactorTable;
  recovery_codes: RecoveryCodesTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  api_keys: ApiKeysTable;
  incoming_hooks: IncomingHooksTable;
  oidc_logins: OidcLoginsTable;
  oidc_identities: OidcIdentitiesTable;
  message_reactions: MessageReactionsTable;
  message_edits: MessageEditsTable;
  chat_pins: ChatPinsTable;
  message_mentions: MessageMentionsTable;
  message_deliveries: MessageDeliveriesTable;
  audit_log: AuditLogTable;
  reports: ReportsTable;
  data_exports: DataExportsTable;
  user_blocks: UserBlocksTable;
  chat_bans: ChatBansTable;
}

/** 0023: `blocker_id` blocked `blocked_id` (account-wide). */
export interface UserBlocksTable {
  blocker_id: number;
  blocked_id: number;
  created_at: number;
}

/** 0023: `user_id` is banned from the group `chat_id` until unbanned. */
export interface ChatBansTable {
  chat_id: string;
  user_id: number;
  banned_by: number | null;
  created_at: number;
}

export interface MessageReactionsTable {
  id: Generated<number>;
  message_id: number;
  user_id: number;
  emoji: string;
  created_at: number;
}

export interface MessageEditsTable {
  id: Generated<number>;
  message_id: number;
  text: string;
  edited_at: number;
}

export interface ChatPinsTable {
  chat_id: string;
  message_id: number;
  pinned_by: number | null;
  created_at: number;
}

export interface MessageMentionsTable {
  message_id: number;
  user_id: number;
  created_at: number;
}

export interface MessageDeliveriesTable {
  message_id: number;
  user_id: number;
  created_at: number;
}

/** 0015: a user's TOTP secret; `enabled_at` null until the first code confirmed it. */
export interface TwoFactorTable {
  user_id: number;
  secret: string;
  enabled_at: number | null;
  last_step: number | null;
  created_at: number;
}

/** 0015: hashed single-use recovery codes. */
export interface RecoveryCodesTable {
  id: string;
  user_id: number;
  code_hash: string;
  used_at: number | null;
}

/** 0016: an outgoing webhook; `events` and `chat_ids` are JSON arrays. */
export interface WebhooksTable {
  id: string;
  url: string;
  events: string;
  chat_ids: string | null;
  secret: string;
  created_at: number;
}

/** 0016: the webhook outbox and delivery log. */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  webhook_id: string;
  event: string;
  payload: string;
  status: string;
  attempts: Generated<number>;
  last_error: string | null;
  last_status: number | null;
  due_at: number;
  leased_until: number | null;
  created_at: number;
  finished_at: number | null;
}

/** 0017: a bot's API key (its secret only as a SHA-256 hash); `scopes` is a JSON array. */
export interface ApiKeysTable {
  id: string;
  user_id: number;
  session_id: string;
  key_hash: string;
  scopes: string;
  created_at: number;
}

/** 0018: an incoming webhook: its chat, the bot it posts as, its token's SHA-256. */
export interface IncomingHooksTable {
  id: string;
  chat_id: string;
  bot_id: number;
  token_hash: string;
  name: string;
  created_at: number;
}

/** 0020: a sign-in begun at /auth/oidc/start, until its callback takes it (once) or it expires. */
export interface OidcLoginsTable {
  state: string;
  nonce: string;
  code_verifier: string;
  redirect: string | null;
  expires_at: number;
}

/** 0020: a provider's (issuer, subject) linked to a user. */
export interface OidcIdentitiesTable {
  issuer: string;
  subject: string;
  user_id: number;
  created_at: number;
}

/** 0022: an admin or moderator action; `details` is JSON. */
export interface AuditLogTable {
  id: Generated<number>;
  actor_id: number | null;
  action: string;
  target_type: string;
  target_id: string;
  chat_id: string | null;
  details: string | null;
  created_at: number;
}

/** 0022: a user's report; `evidence` is the reported message as JSON. */
export interface ReportsTable {
  id: Generated<number>;
  reporter_id: number | null;
  target_type: string;
  target_id: string;
  chat_id: string | null;
  message_id: number | null;
  reported_user_id: number | null;
  reason: string;
  text: string | null;
  evidence: string | null;
  status: string;
  action: string | null;
  resolved_by: number | null;
  resolved_at: number | null;
  created_at: number;
}

/** 0022: a user's data export (one at a time). */
export interface DataExportsTable {
  user_id: number;
  status: string;
  blob_key: string | null;
  file_size: number | null;
  started_at: number;
  lease_until: number;
  finished_at: number | null;
  expires_at: number | null;
}
