/**
 * Builds the views the API families present and the events carry: messages with their
 * authors and read marks, chats with owner, members and the viewer's own settings. Users
 * and read marks are loaded in bulk, one query each per page, never one per message.
 */
import type { ChatSettingsView, ChatView, MessageView, Profile, ReadMarkView, ReplyToView } from '../ports/events.js';
import type { ChatRecord, MemberRecord, MessageRecord, Repositories, Store } from '../ports/store.js';
import { loadProfiles, mediaViewOf } from './profiles.js';

export { mediaViewOf };

/** How much of a replied-to message's text a reply carries. */
export const REPLY_PREVIEW_CHARS = 200;

export const settingsOf = (member: MemberRecord | undefined): ChatSettingsView => ({
  isMuted: member?.isMuted ?? false,
  notify: member?.isMuted ? 'none' : member?.mentionsOnly ? 'mentions' : 'all',
  isArchived: member?.isArchived ?? false,
  isBlocked: member?.hasBlockedChat ?? false,
});

/** Views of `messages` (all of one chat), in the order given; `store` may be a transaction. */
export async function buildMessageViews(
  store: Repositories,
  chatId: string,
  messages: MessageRecord[],
  known = new Map<number, Profile>(),
): Promise<MessageView[]> {
  if (messages.length === 0) return [];
  const seqs = messages.map((m) => m.seq);
  const ids = messages.map((m) => m.id);
  // The replied-to messages and the roots of thread replies (for their public ids) in one read.
  const linkedIds = [...new Set(messages.flatMap((m) => [m.replyToId, m.threadId]).filter((id): id is number => id !== null))];
  // Only main-history messages that ever had a reply (or whose record does not say) have a summary.
  const rootIds = messages.filter((m) => m.threadId === null && m.hasThread !== false).map((m) => m.id);
  const [marks, attachments, reactions, replied, mentions, deliveries, threads] = await Promise.all([
    store.messages.readMarksCovering(chatId, Math.min(...seqs), Math.max(...seqs)),
    store.media.attachmentsOf(ids),
    store.messageExtras.reactionsOf(ids),
    store.messages.findByIds(linkedIds),
    store.messageExtras.mentionsOf(ids),
    store.messageExtras.deliveriesOf(ids),
    store.messages.threadSummaries(rootIds),
  ]);
  const repliedById = new Map(replied.map((m) => [m.id, m]));
  // A known profile without photos (the sender's own, from its session) is loaded again with them.
  const wanted = new Set([...messages.map((m) => m.authorId), ...marks.map((m) => m.userId)].filter((id) => !known.get(id)?.photos));
  const profiles = new Map([...known, ...(await loadProfiles(store, wanted, { withPhotos: true }))]);
  // Marks are sorted by seq; a user's first mark at or after a message's seq is the one that read it.
  const marksByUser = new Map<number, typeof marks>();
  for (const mark of marks) {
    const list = marksByUser.get(mark.userId);
    if (list) list.push(mark);
    else marksByUser.set(mark.userId, [mark]);
  }
  return messages.map((message) => {
    const readMarks: ReadMarkView[] = [];
    for (const [userId, userMarks] of marksByUser) {
      if (userId === message.authorId) continue;
      const mark = userMarks.find((m) => m.seq >= message.seq);
      const user = profiles.get(userId);
      if (mark && user) readMarks.push({ id: mark.id, user, createdAt: mark.createdAt });
    }
    const author = profiles.get(message.authorId) ?? deletedUser(message.authorId);
    const erased = message.deletedAt !== null;
    const files = erased ? [] : (attachments.get(message.id) ?? []).map(mediaViewOf);
    const target = message.replyToId === null ? undefined : repliedById.get(message.replyToId);
    const root = message.threadId === null ? undefined : repliedById.get(message.threadId);
    const thread = threads.get(message.id);
    return {
      message: erased ? { ...message, text: '' } : message,
      author,
      attachments: files,
      readMarks,
      reactions: erased ? [] : (reactions.get(message.id) ?? []),
      mentions: erased ? [] : (mentions.get(message.id) ?? []),
      deliveredTo: deliveries.get(message.id) ?? [],
      ...(target ? { replyTo: replyToViewOf(target) } : {}),
      ...(root ? { threadId: root.uuid } : {}),
      ...(thread ? { thread } : {}),
    };
  });
}

/** What a reply shows of the message it answers. */
export const replyToViewOf = (m: MessageRecord): ReplyToView => ({
  id: m.uuid,
  authorId: m.authorId,
  text: m.deletedAt === null ? [...m.text].slice(0, REPLY_PREVIEW_CHARS).join('') : '',
  isVisible: m.isVisible && m.deletedAt === null,
});

/** A stand-in for an author whose account is gone (their messages normally go with it). */
const deletedUser = (id: number): Profile => ({
  id,
  uid: '00000000-0000-0000-0000-000000000000',
  username: 'deleted',
  displayName: 'Deleted user',
  about: null,
  lastSeenAt: null,
});

export interface ChatViewOptions {
  /** Include every current member (GET /chats/<id>, full lists, events). */
  withMembers: boolean;
  addedUsers?: number[];
  removedUsers?: number[];
  /** Reuse a message view already built (a send's own message). */
  lastMessage?: MessageView | null;
}

/** ChatInfo `roles`: the owner and the admins among the current `members`. */
function rolesOf(chat: ChatRecord, members: MemberRecord[]): Record<string, 'owner' | 'admin'> {
  const roles: Record<string, 'owner' | 'admin'> = {};
  for (const m of members) if (m.role === 'admin' && m.userId !== chat.ownerId) roles[String(m.userId)] = 'admin';
  if (chat.ownerId !== null) roles[String(chat.ownerId)] = 'owner';
  return roles;
}

/** The chat as `viewer` sees it. */
export async function buildChatView(store: Store, chat: ChatRecord, viewer: MemberRecord | undefined, options: ChatViewOptions): Promise<ChatView> {
  const members = options.withMembers || chat.isPersonal ? await store.chats.listMembers(chat.id, true) : [];
  const ids = [chat.ownerId ?? 0, ...members.map((m) => m.userId), ...(options.addedUsers ?? []), ...(options.removedUsers ?? [])];
  const profiles = await loadProfiles(store, ids, { withPhotos: true });
  const pick = (list: number[]) => list.map((id) => profiles.get(id)).filter((p): p is Profile => p !== undefined);
  let lastMessage = options.lastMessage ?? undefined;
  if (options.lastMessage === undefined) {
    const latest = (await store.messages.latestOf([chat.id])).get(chat.id);
    if (latest) [lastMessage] = await buildMessageViews(store, chat.id, [latest], profiles);
  }
  const roles = chat.isPersonal || members.length === 0 ? undefined : rolesOf(chat, members);
  return {
    chat,
    ...(roles ? { roles } : {}),
    owner: profiles.get(chat.ownerId ?? 0) ?? deletedUser(chat.ownerId ?? 0),
    members: pick(members.map((m) => m.userId)),
    ...(options.addedUsers ? { addedUsers: pick(options.addedUsers) } : {}),
    ...(options.removedUsers ? { removedUsers: pick(options.removedUsers) } : {}),
    ...(lastMessage ? { lastMessage } : {}),
    images: ((await store.media.chatImagesOf([chat.id])).get(chat.id) ?? []).map(mediaViewOf),
    settings: settingsOf(viewer),
    unreadCount: viewer?.isMember ? await store.messages.countUnread(chat.id, viewer.userId, viewer.lastReadSeq) : 0,
    pinned: ((await store.messageExtras.pinsOf([chat.id])).get(chat.id) ?? []).map((p) => p.uuid),
  };
}
