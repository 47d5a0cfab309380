/**
 * The store port: every persistent record Parley keeps, behind repositories with storage
 * verbs (chats, messages and contacts in `chat-records.ts`). The embedded SQLite adapter and the PostgreSQL adapter implement it with the same
 * behaviour; core services depend only on this file. Times are epoch milliseconds.
 */
import type { MessageExtrasRepository } from './message-extras.js';
import type { ChatsRepository, ContactsRepository, EventLogRepository, MessagesRepository, SettingsRepository } from './chat-records.js';

import type { PushRepository } from './push-records.js';
import type { PresenceRepository } from './presence-records.js';
import type { VappRepository } from './vapp-records.js';
import type { TwoFactorRepository } from './two-factor-records.js';
import type { WebhooksRepository } from './webhook-records.js';
import type { ApiKeysRepository } from './api-key-records.js';
import type { IncomingHooksRepository } from './incoming-hook-records.js';
import type { OidcRepository } from './oidc-records.js';
import type { ChatBansRepository, UserBlocksRepository } from './block-records.js';
import type { UserRecord, UserRole } from './user-records.js';
import type { AuditRepository, ExportsRepository, ReportsRepository, RetentionRepository } from './safety-records.js';

export type { UserRecord, UserRole } from './user-records.js';

export type * from './chat-records.js';
export type * from './push-records.js';
export type * from './presence-records.js';
export type * from './two-factor-records.js';
export type * from './webhook-records.js';
export type * from './api-key-records.js';
export type * from './incoming-hook-records.js';
export type * from './oidc-records.js';
export type * from './safety-records.js';
export type * from './block-records.js';

export type NewUser = Omit<UserRecord, 'id' | 'accountKeyHash' | 'lastSeenAt' | 'about' | 'vonageUserId' | 'role' | 'disabledAt' | 'isBot'> & {
  isBot?: boolean;
  about?: string | null;
  vonageUserId?: string | null;
  role?: UserRole;
  /** The address as compared (case-folded); default: `email` lower-cased. */
  emailKey?: string | null;
  /** The address's confusable skeleton; unique like the key (a look-alike is a duplicate). */
  emailSkeleton?: string | null;
};

export interface DeviceFields {
  /** The client-made device id (DeviceInfo.id); a known one reuses its session row. */
  deviceId: string | null;
  deviceName: string | null;
  deviceModel: string | null;
  pushToken: string | null;
  pushTransport: string | null;
}

export interface SessionRecord extends DeviceFields {
  id: string;
  userId: number;
  /** The `jti` of the one access token this session currently honours. */
  tokenId: string;
  ipAddress: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface SigningKeyRecord {
  kid: string;
  algorithm: string;
  privatePem: string;
  publicJwk: string;
  createdAt: number;
}

/**
 * What an upload was attached as; an upload is attached at most once. `shared` is an image
 * whose URL was handed out for use elsewhere (the V-app's `POST /image`, for Client SDK
 * image messages): kept, like the others, until its owner's account goes.
 */
export type MediaUse = 'photo' | 'chat_image' | 'attachment' | 'shared';

/**
 * An upload (MediaInfo). `id` is the stored name without its extension; `fileType` is the
 * extension. The row is inserted before the bytes arrive, to reserve the id, and is
 * `ready` once the file (and an image's preview) is stored.
 */
export interface MediaRecord {
  id: string;
  ownerId: number;
  fileType: string;
  mime: string;
  fileSize: number;
  width: number | null;
  height: number | null;
  previewWidth: number | null;
  previewHeight: number | null;
  ready: boolean;
  attachedAs: MediaUse | null;
  attachedAt: number | null;
  createdAt: number;
}

/** Facts known once an upload is stored. */
export type MediaFacts = Pick<MediaRecord, 'fileSize' | 'width' | 'height' | 'previewWidth' | 'previewHeight'>;

/** Raised by a repository when a unique constraint refuses a write. */
export class UniqueViolation extends Error {
  constructor(readonly field: string) {
    super(`unique constraint on ${field}`);
    this.name = 'UniqueViolation';
  }
}

export interface UserSearch {
  /** Case-insensitive substring of the display name or username. */
  query: string;
  limit: number;
  offset: number;
  /** Only users ranked after this place (a cursor: the rank and id of the last user of the page before). */
  after?: { rank: number; id: number } | undefined;
}

export interface UsersRepository {
  /** Throws `UniqueViolation('username' | 'email' | 'vonage_user_id')`. */
  insert(user: NewUser): Promise<UserRecord>;
  findById(id: number): Promise<UserRecord | undefined>;
  /** The users that exist among `ids`, in no particular order. */
  findByIds(ids: number[]): Promise<UserRecord[]>;
  findByUsername(username: string): Promise<UserRecord | undefined>;
  findByEmail(email: string): Promise<UserRecord | undefined>;
  search(search: UserSearch): Promise<UserRecord[]>;
  /** `search`, each user with its rank (0 the exact username, 1 a username prefix, 2 a name prefix, 3 the rest), for a cursor. */
  searchRanked(search: UserSearch): Promise<{ user: UserRecord; rank: number }[]>;
  /**
   * Newest first (id descending): up to `limit` users, only ids below `before` when given (a
   * cursor), and with `query` only those whose name, username or email contains it (any case).
   */
  newest(page: { before?: number | undefined; limit: number; query?: string | undefined }): Promise<UserRecord[]>;
  update(
    id: number,
    patch: Partial<Pick<UserRecord, 'displayName' | 'about' | 'passwordHash' | 'accountKeyHash' | 'lastSeenAt' | 'updatedAt' | 'role' | 'disabledAt'>>,
  ): Promise<void>;
  delete(id: number): Promise<boolean>;
  /**
   * Records the user's Vonage id when they have none yet; false when they already had one
   * (or are gone). Throws `UniqueViolation('vonage_user_id')` when another user holds it.
   */
  setVonageUserId(id: number, vonageUserId: string): Promise<boolean>;
}

export interface SessionsRepository {
  insert(session: SessionRecord): Promise<void>;
  findById(id: string): Promise<SessionRecord | undefined>;
  findByDevice(userId: number, deviceId: string): Promise<SessionRecord | undefined>;
  listByUser(userId: number): Promise<SessionRecord[]>;
  /** How many sessions each of these users has (users without any are absent). */
  countByUsers(userIds: number[]): Promise<Map<number, number>>;
  update(id: string, patch: Partial<Omit<SessionRecord, 'id' | 'userId' | 'createdAt'>>): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Deletes the user's sessions except `exceptId`; returns the ids deleted. */
  deleteByUser(userId: number, exceptId?: string): Promise<string[]>;
}

export interface SigningKeysRepository {
  list(): Promise<SigningKeyRecord[]>;
  insert(key: SigningKeyRecord): Promise<void>;
  /**
   * Inside a transaction: holds off every other node's `lockForFirstKey` until this one ends, so
   * that nodes starting at once on an empty store agree on one first key (PostgreSQL: a table
   * lock that conflicts with itself; SQLite: its single writer does it already).
   */
  lockForFirstKey(): Promise<void>;
}

export interface MediaRepository {
  /**
   * Throws `UniqueViolation('id')` when the id is taken, compared case-insensitively.
   * `uploadLeaseUntil`: the bytes are on their way and the upload holds the row until then.
   */
  insert(media: MediaRecord & { uploadLeaseUntil?: number }): Promise<void>;
  /** Extends the claim of uploads still in progress (not ready) to `until`. */
  renewUploads(ids: string[], until: number): Promise<void>;
  /**
   * Uploads a crash interrupted (their lease ran out before they completed): up to `limit`
   * unattached rows are deleted (their names are free again) and claimed placeholders are
   * released; returns both, so that their partial files are removed.
   */
  takeInterrupted(now: number, limit: number): Promise<MediaRecord[]>;
  findById(id: string): Promise<MediaRecord | undefined>;
  /** Records the stored file and marks it ready; false when the row is gone meanwhile. `type` corrects a placeholder's guess. */
  complete(id: string, facts: MediaFacts, type?: { fileType: string; mime: string }): Promise<boolean>;
  /** Claims the owner's placeholder attachment for its upload; false when it is not one (or is being uploaded). */
  claimPlaceholder(id: string, ownerId: number, leaseUntil?: number): Promise<boolean>;
  /** Gives a claimed placeholder back after a failed upload. */
  releasePlaceholder(id: string): Promise<void>;
  deleteMany(ids: string[]): Promise<void>;
  linkChatImage(chatId: string, mediaId: string, at: number): Promise<void>;
  /** The chat's images, newest first, by chat id. */
  chatImagesOf(chatIds: string[]): Promise<Map<string, MediaRecord[]>>;
  linkAttachments(messageId: number, mediaIds: string[]): Promise<void>;
  /** Each message's attachments in order, by message id. */
  attachmentsOf(messageIds: number[]): Promise<Map<number, MediaRecord[]>>;
  /** Uploads linked to these chats: their messages' attachments, and with `images` their chat images. */
  linkedToChats(chatIds: string[], include: { images: boolean }): Promise<MediaRecord[]>;
  /** Marks a ready, unattached upload as used; false when it is not (anymore). */
  attach(id: string, use: MediaUse, at: number): Promise<boolean>;
  /** The owners' uploads attached as `use`, most recently attached first. */
  listAttached(ownerIds: number[], use: MediaUse): Promise<MediaRecord[]>;
  /** Every upload of the owner, attached or not. */
  listByOwner(ownerId: number): Promise<MediaRecord[]>;
  delete(id: string): Promise<boolean>;
  /** Deletes up to `limit` uploads never attached and created before `before`; returns them. */
  deleteUnattached(before: number, limit: number): Promise<MediaRecord[]>;
}

/** All repositories; inside `transaction` they share one transaction. */
export interface Repositories {
  users: UsersRepository;
  sessions: SessionsRepository;
  signingKeys: SigningKeysRepository;
  chats: ChatsRepository;
  messages: MessagesRepository;
  messageExtras: MessageExtrasRepository;
  contacts: ContactsRepository;
  events: EventLogRepository;
  settings: SettingsRepository;
  media: MediaRepository;
  push: PushRepository;
  presence: PresenceRepository;
  vapp: VappRepository;
  twoFactor: TwoFactorRepository;
  webhooks: WebhooksRepository;
  apiKeys: ApiKeysRepository;
  incomingHooks: IncomingHooksRepository;
  oidc: OidcRepository;
  audit: AuditRepository;
  reports: ReportsRepository;
  exports: ExportsRepository;
  retention: RetentionRepository;
  userBlocks: UserBlocksRepository;
  chatBans: ChatBansRepository;
}

export interface Store extends Repositories {
  readonly kind: 'sqlite' | 'postgres';
  /** Runs `work` in one transaction; it commits when `work` resolves, rolls back when it throws. */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /**
   * Calls `listener` after another process has committed to the store, so that what this
   * process keeps in memory can be dropped. Only the embedded store has it; on PostgreSQL
   * nothing is kept from the database between requests.
   */
  onOtherWriters?(listener: () => void): void;
  /** Resolves when the store answers a trivial query (for `/readyz`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
