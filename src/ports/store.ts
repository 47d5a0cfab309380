/**
 * The store port: every persistent record Parley keeps, behind repositories with storage
 * verbs (chats, messages and contacts in `chat-records.ts`). The embedded SQLite adapter and the PostgreSQL adapter implement it with the same
 * behaviour; core services depend only on this file. Times are epoch milliseconds.
 */
import type { ChatsRepository, ContactsRepository, EventLogRepository, MessagesRepository, SettingsRepository } from './chat-records.js';

export type * from './chat-records.js';

export interface UserRecord {
  id: number;
  uid: string;
  /** Case-folded (lower case); unique. */
  username: string;
  displayName: string;
  email: string | null;
  about: string | null;
  passwordHash: string;
  accountKeyHash: string | null;
  lastSeenAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export type NewUser = Omit<UserRecord, 'id' | 'accountKeyHash' | 'lastSeenAt' | 'about'> & {
  about?: string | null;
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
}

export interface UsersRepository {
  /** Throws `UniqueViolation('username' | 'email')`. */
  insert(user: NewUser): Promise<UserRecord>;
  findById(id: number): Promise<UserRecord | undefined>;
  /** The users that exist among `ids`, in no particular order. */
  findByIds(ids: number[]): Promise<UserRecord[]>;
  findByUsername(username: string): Promise<UserRecord | undefined>;
  findByEmail(email: string): Promise<UserRecord | undefined>;
  search(search: UserSearch): Promise<UserRecord[]>;
  update(
    id: number,
    patch: Partial<Pick<UserRecord, 'displayName' | 'about' | 'passwordHash' | 'accountKeyHash' | 'lastSeenAt' | 'updatedAt'>>,
  ): Promise<void>;
  delete(id: number): Promise<boolean>;
}

export interface SessionsRepository {
  insert(session: SessionRecord): Promise<void>;
  findById(id: string): Promise<SessionRecord | undefined>;
  findByDevice(userId: number, deviceId: string): Promise<SessionRecord | undefined>;
  listByUser(userId: number): Promise<SessionRecord[]>;
  update(id: string, patch: Partial<Omit<SessionRecord, 'id' | 'userId' | 'createdAt'>>): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Deletes the user's sessions except `exceptId`; returns the ids deleted. */
  deleteByUser(userId: number, exceptId?: string): Promise<string[]>;
}

export interface SigningKeysRepository {
  list(): Promise<SigningKeyRecord[]>;
  insert(key: SigningKeyRecord): Promise<void>;
}

/** All repositories; inside `transaction` they share one transaction. */
export interface Repositories {
  users: UsersRepository;
  sessions: SessionsRepository;
  signingKeys: SigningKeysRepository;
  chats: ChatsRepository;
  messages: MessagesRepository;
  contacts: ContactsRepository;
  events: EventLogRepository;
  settings: SettingsRepository;
}

export interface Store extends Repositories {
  readonly kind: 'sqlite' | 'postgres';
  /** Runs `work` in one transaction; it commits when `work` resolves, rolls back when it throws. */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Resolves when the store answers a trivial query (for `/readyz`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
