/**
 * What the bus carries about chats: plain, JSON-safe views (no secrets), so an event can
 * cross nodes through Redis unchanged and every API family can present it its own way.
 */
import type { ChatRecord, MessageRecord } from './chat-records.js';
import type { ReactionRecord } from './message-extras.js';

/** A user as others may see them; never holds a secret. */
export interface Profile {
  id: number;
  uid: string;
  username: string;
  displayName: string;
  about: string | null;
  lastSeenAt: number | null;
  /** The user's photos, newest first, where the view loaded them (users inside chats and messages). */
  photos?: MediaView[];
  /** True for a bot; absent for people. */
  isBot?: boolean;
}

/** An uploaded file attached somewhere (photo, chat image, message attachment). */
export interface MediaView {
  id: string;
  fileType: string;
  fileSize: number;
  previewWidth: number | null;
  previewHeight: number | null;
  createdAt: number;
}

export interface ReadMarkView {
  id: string;
  user: Profile;
  createdAt: number;
}

/** The part of a replied-to message a reply shows. */
export interface ReplyToView {
  /** Its public id (uuid). */
  id: string;
  authorId: number;
  /** Its first 200 characters (empty once it is deleted). */
  text: string;
  isVisible: boolean;
}

/** A thread's root shows its replies so (deleted replies do not count). */
export interface ThreadView {
  count: number;
  lastReplyAt: number;
  /** The replies' authors, in the order of their first reply. */
  participants: number[];
}

export interface MessageView {
  message: MessageRecord;
  author: Profile;
  attachments: MediaView[];
  readMarks: ReadMarkView[];
  /** Emoji in first-use order with who used them (each recipient sees `me` of their own). */
  reactions?: ReactionRecord[];
  replyTo?: ReplyToView;
  /** For a thread reply: its root's public id (uuid). */
  threadId?: string;
  /** For a root with replies: their summary. */
  thread?: ThreadView;
  /** Members the text mentions. */
  mentions?: number[];
  /** Recipients a device of whom confirmed receiving it. */
  deliveredTo?: number[];
}

export type NotifyLevel = 'all' | 'mentions' | 'none';

/** The per-member part of a chat as one member sees it. */
export interface ChatSettingsView {
  isMuted: boolean;
  /** Which messages push: "none" is muted. */
  notify?: NotifyLevel;
  isArchived: boolean;
  isBlocked: boolean;
}

export interface ChatView {
  chat: ChatRecord;
  owner: Profile;
  /** Current members; empty when the view was built without them (chat list without full). */
  members: Profile[];
  addedUsers?: Profile[];
  removedUsers?: Profile[];
  lastMessage?: MessageView;
  images: MediaView[];
  settings: ChatSettingsView;
  unreadCount: number;
  /** Pinned messages' public ids, oldest pin first. */
  pinned?: string[];
  /** Groups, when the members were loaded: the owner and each admin by user id (issue 21). */
  roles?: Record<string, 'owner' | 'admin'>;
}

export type ChatEventKind =
  | 'message'
  | 'messageUpdate'
  | 'messageRead'
  | 'chatUpdate'
  | 'addedUsers'
  | 'removedUsers'
  | 'chatCleared'
  | 'chatDeleted'
  | 'userUpdate'
  | 'auxiliary'
  | 'messageDelivered';

/**
 * A change, for the users in `recipients` only. Every kind but `auxiliary` is stored in the
 * event log first; `cursor` is its log id, the same for every recipient.
 */
export interface ChatEvent {
  kind: ChatEventKind;
  /** Empty for `userUpdate`. */
  chatId: string;
  cursor?: number;
  /** The acting user's id, or "system". */
  source: number | 'system';
  recipients: number[];
  message?: MessageView;
  /** For chat events: the chat as the actor sees it; `settingsByUser` gives each recipient's own flags. */
  chat?: ChatView;
  settingsByUser?: Record<number, ChatSettingsView>;
  auxiliary?: { name: string; text: string | null; realm: string; data: unknown };
  /** For `messageDelivered`: which message reached which user (to its author). */
  delivered?: { messageId: string; userId: number };
  /** For `userUpdate`. */
  user?: Profile;
}

/** How a user's presence looks to others (`invisible` looks `offline`). */
export type PresenceStatus = 'online' | 'away' | 'dnd' | 'offline';

/** A user's presence as others see it. */
export interface PresenceView {
  userId: number;
  status: PresenceStatus;
  /** When they were last seen: now while connected, else the time their last socket closed (or they last used the API). */
  lastSeenAt: number | null;
}

/** A presence change, for `recipients` only; volatile: never stored, no cursor. */
export interface PresenceEvent extends PresenceView {
  recipients: number[];
}

/** A message in a public room, as the rooms API shows it. */
export interface RoomMessage {
  id: number;
  sender: { id: number; username: string };
  text: string;
  /** Unix seconds. */
  createTime: number;
}
