/**
 * Store records and repositories of chats, messages, read marks and contacts. Part of the
 * Store port (`store.ts` gathers them). Times are epoch milliseconds; flags are booleans.
 */

export interface ChatRecord {
  id: string;
  title: string | null;
  isPersonal: boolean;
  /** `"<smaller user id>:<larger user id>"` for personal chats, so a pair has one chat. */
  personalKey: string | null;
  /** Null only for a public room opened by an anonymous reader. */
  ownerId: number | null;
  /** The case-folded name of a public room (rooms API); null for other chats. */
  roomName: string | null;
  /** The seq of the newest message ever sent (0 before the first). */
  lastSeq: number;
  lastActivityAt: number;
  createdAt: number;
  updatedAt: number;
}

/** A user's place in a chat, kept after they leave so blocks and history of membership hold. */
export interface MemberRecord {
  chatId: string;
  userId: number;
  isMember: boolean;
  isMuted: boolean;
  isArchived: boolean;
  isRemovedOnDevice: boolean;
  /** The member blocked the chat: they left (group) or refuse its messages (personal). */
  hasBlockedChat: boolean;
  /** The owner blocked this member from posting. */
  isBlocked: boolean;
  /** Every message with seq ≤ this is read by the member. */
  lastReadSeq: number;
  addedAt: number;
  removedAt: number | null;
  /** Notified (pushed) of mentions only; a muted member gets nothing at all. */
  mentionsOnly?: boolean;
  /** A group admin (issue 21); null or absent: a plain member. The owner is `ChatRecord.ownerId`. */
  role?: 'admin' | null;
}

export interface MessageRecord {
  /** The store's row id: joins, the event log, cursors. Never shown to native clients. */
  id: number;
  /** The message's public id (a UUIDv7, time-ordered): what native clients see and name. */
  uuid: string;
  chatId: string;
  seq: number;
  authorId: number;
  localId: string;
  text: string;
  isVisible: boolean;
  fileExists: boolean | null;
  previewExists: boolean | null;
  createdAt: number;
  updatedAt: number;
  editedAt: number | null;
  deletedAt: number | null;
  /** The message this one replies to (same chat), or null. */
  replyToId: number | null;
  /** The root of the thread this message is a reply in (not in the main history), or null. */
  threadId: number | null;
  /** True once a reply in this message's thread was sent (never cleared; replies may since be deleted). */
  hasThread?: boolean;
  /** The moderator (owner or admin) who deleted it; null when its author did, or it is not deleted. */
  deletedBy?: number | null;
}

export type NewMessage = Omit<MessageRecord, 'id' | 'replyToId' | 'threadId' | 'hasThread' | 'deletedBy'> &
  Partial<Pick<MessageRecord, 'replyToId' | 'threadId'>>;

/** What a thread's root shows of its replies (deleted replies do not count). */
export interface ThreadSummary {
  count: number;
  lastReplyAt: number;
  /** The replies' authors, in the order of their first reply. */
  participants: number[];
}

/** One advance of a user's read pointer in a chat: it marks every message up to `seq`. */
export interface ReadMarkRecord {
  id: string;
  chatId: string;
  userId: number;
  seq: number;
  createdAt: number;
}

export interface ContactRecord {
  id: string;
  ownerId: number;
  userId: number;
  name: string | null;
  isFavorite: boolean;
  isBlocked: boolean;
  createdAt: number;
  updatedAt: number;
}

export type MemberPatch = Partial<Omit<MemberRecord, 'chatId' | 'userId'>>;

export interface ChatsRepository {
  /** Inserts the chat and its members; throws `UniqueViolation('personal_key' | 'room_name')` for a known pair or room. */
  insert(chat: ChatRecord, members: MemberRecord[]): Promise<void>;
  findById(id: string): Promise<ChatRecord | undefined>;
  findByPersonalKey(key: string): Promise<ChatRecord | undefined>;
  findByRoomName(name: string): Promise<ChatRecord | undefined>;
  update(id: string, patch: Partial<Pick<ChatRecord, 'title' | 'ownerId' | 'updatedAt' | 'lastActivityAt'>>): Promise<void>;
  /** Takes the next message seq (row-locked until the transaction ends) and stamps activity. */
  nextSeq(id: string, at: number): Promise<number>;
  delete(id: string): Promise<boolean>;
  /** The user's chats that are not hidden on their device, newest activity first. */
  listForUser(userId: number): Promise<Array<{ chat: ChatRecord; member: MemberRecord }>>;
  findMember(chatId: string, userId: number): Promise<MemberRecord | undefined>;
  /** Every member row of the chat (`activeOnly`: only current members), by join time. */
  listMembers(chatId: string, activeOnly: boolean): Promise<MemberRecord[]>;
  /** The chats `userId` owns (they go with the account). */
  listOwnedIds(userId: number): Promise<string[]>;
  /** Users who share at least one chat with `userId` (current members), without `userId`. */
  listPeerIds(userId: number): Promise<number[]>;
  /** The ids of the current members (cheaper than `listMembers` when ids are all that is needed). */
  listMemberIds(chatId: string): Promise<number[]>;
  /** The ids of the current members whose (folded) username is one of `usernames`: one indexed lookup per name. */
  memberIdsNamed(chatId: string, usernames: string[]): Promise<number[]>;
  /** Inserts the member, or updates every field of an existing row. */
  upsertMember(member: MemberRecord): Promise<void>;
  updateMember(chatId: string, userId: number, patch: MemberPatch): Promise<void>;
  /** A new message brings a chat back on every device that removed it. */
  unhideForAll(chatId: string): Promise<void>;
  /**
   * A send's chat bookkeeping at once: `nextSeq`, `unhideForAll`, the author's
   * `lastReadSeq` set to the new seq, and the current member ids (one round trip where the
   * database is remote).
   */
  advanceForSend(chatId: string, authorId: number, at: number): Promise<{ seq: number; memberIds: number[] }>;
}

export interface MessagesRepository {
  /** Throws `UniqueViolation('local_id')` when the author used the localId before. */
  insert(message: NewMessage): Promise<MessageRecord>;
  findById(id: number): Promise<MessageRecord | undefined>;
  /** The messages with these ids that exist, in no particular order. */
  findByIds(ids: number[]): Promise<MessageRecord[]>;
  /** By public id (lower-case UUID). */
  findByUuid(uuid: string): Promise<MessageRecord | undefined>;
  findByLocalId(authorId: number, localId: string): Promise<MessageRecord | undefined>;
  /**
   * The main history, newest first: up to `count` messages of the chat with seq < `beforeSeq`
   * (all when null). Thread replies are left out (see `listThread`).
   */
  listBefore(chatId: string, beforeSeq: number | null, count: number): Promise<MessageRecord[]>;
  /**
   * The main history, oldest first: up to `count` messages of the chat with seq > `afterSeq`
   * (paging towards the newest). Thread replies are left out, as in `listBefore`.
   */
  listAfter(chatId: string, afterSeq: number, count: number): Promise<MessageRecord[]>;
  /** Marks `rootId` as having a thread (in the reply's transaction). */
  markThread(rootId: number): Promise<void>;
  /** Newest first: up to `count` replies in the thread of root `rootId` with seq < `beforeSeq` (all when null). */
  listThread(rootId: number, beforeSeq: number | null, count: number): Promise<MessageRecord[]>;
  /** The replies (not deleted) of each root that has any: how many, the newest's time, their authors by first reply. */
  threadSummaries(rootIds: number[]): Promise<Map<number, ThreadSummary>>;
  /** The newest message of each chat's main history (thread replies left out), by chat id. */
  latestOf(chatIds: string[]): Promise<Map<string, MessageRecord>>;
  /** Main-history messages after `afterSeq` by others than `userId`, not deleted (thread replies are not counted). */
  countUnread(chatId: string, userId: number, afterSeq: number): Promise<number>;
  update(
    id: number,
    patch: Partial<Pick<MessageRecord, 'text' | 'isVisible' | 'fileExists' | 'previewExists' | 'updatedAt' | 'editedAt' | 'deletedAt' | 'deletedBy'>>,
  ): Promise<void>;
  /** Deletes every message and read mark of the chat. */
  clearChat(chatId: string): Promise<void>;
  insertReadMark(mark: ReadMarkRecord): Promise<void>;
  /**
   * The read marks that cover messages with seq in [minSeq, maxSeq]: those inside the range
   * plus, per user, the first one beyond it. Bounded by the page, not by the chat's age.
   */
  readMarksCovering(chatId: string, minSeq: number, maxSeq: number): Promise<ReadMarkRecord[]>;
}

export interface ContactsRepository {
  /** Inserts, or updates name and favourite of the owner's existing contact for that user. */
  upsert(contact: ContactRecord): Promise<ContactRecord>;
  findById(id: string): Promise<ContactRecord | undefined>;
  listByOwner(ownerId: number): Promise<ContactRecord[]>;
  delete(id: string): Promise<boolean>;
}

/** One stored event: its id is the cursor every recipient sees. */
export interface LoggedEvent {
  id: number;
  payload: string;
  createdAt: number;
}

/**
 * The event log behind "nothing is lost on reconnect": each event is stored once, and a user
 * replays what they missed by cursor. An event is either for a chat's members (the frequent
 * ones: messages, edits, read marks; no per-recipient rows, so a message to 50 members costs
 * one row) or for listed recipients (chat changes, deletions, profile updates).
 */
export interface EventLogRepository {
  /**
   * Stores `payload` for `audience`; returns its id. Ids increase in assignment order; on a
   * store with concurrent writers one may commit after a higher one, so replay reads only up
   * to `stableThrough()`.
   */
  append(entry: { payload: string; chatId: string | null; messageId: number | null; createdAt: number }, audience: 'members' | number[]): Promise<number>;
  /** Forgets the logged events about a message (its content must not outlive its deletion). */
  deleteForMessage(messageId: number): Promise<void>;
  /** Forgets the logged events of a chat (cleared or deleted). */
  deleteForChat(chatId: string): Promise<void>;
  /**
   * The user's events with id > `since`, oldest first, at most `limit`: those listing the
   * user, and member events of chats from while the user was a member. Only ids ≤ `through`
   * (default: all).
   */
  listSince(userId: number, since: number, limit: number, through?: number): Promise<LoggedEvent[]>;
  /** The newest event id (0 when none). */
  latestId(): Promise<number>;
  /**
   * An id at or above every id visible now, at or below which every event is final
   * (committed, or never to exist): what replay may read up to without skipping an event
   * that commits later. May wait for writers holding lower ids to finish.
   */
  stableThrough(): Promise<number>;
  /** Deletes events created before `before`; returns the highest id deleted (0 when none). */
  pruneBefore(before: number): Promise<number>;
}

/** Small server-wide values (the event log's prune watermark, …). */
export interface SettingsRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /** Stores `value` unless `key` has one already; true when this call stored it (the first of racing nodes wins). */
  insertIfAbsent(key: string, value: string): Promise<boolean>;
}
