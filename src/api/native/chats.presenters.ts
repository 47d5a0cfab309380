/** The native wire shapes of chats, messages and contacts (SPEC 2, JSON objects). */
import type { ContactView } from '../../core/contacts.service.js';
import type { ChatSettingsView, ChatView, MessageView, Profile } from '../../ports/events.js';
import { presentMedia } from './media.presenters.js';
import { compact, iso, presentUser } from './users.presenters.js';

/** UserInfo of a user inside a chat, message or contact, with the photos the view loaded. */
export const presentMember = (user: Profile, publicUrl: string) => presentUser(user, { photos: user.photos?.map((m) => presentMedia(m, publicUrl)) ?? [] });

/**
 * MessageInfo as `viewerId` sees it: `me` of each reaction is theirs (none for a viewer
 * left out, e.g. the search answer built without one).
 */
export function presentMessage(view: MessageView, publicUrl: string, viewerId?: number) {
  const m = view.message;
  return compact({
    id: m.uuid,
    seq: m.seq,
    localId: m.localId,
    chatId: m.chatId,
    authorId: m.authorId,
    author: presentMember(view.author, publicUrl),
    text: m.deletedAt === null ? m.text : '',
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
    editedAt: m.editedAt === null ? undefined : iso(m.editedAt),
    deletedAt: m.deletedAt === null ? undefined : iso(m.deletedAt),
    deletedBy: m.deletedAt === null ? undefined : (m.deletedBy ?? undefined),
    isDeletedByModerator: m.deletedAt !== null && m.deletedBy != null ? true : undefined,
    isVisible: m.isVisible,
    fileExists: m.fileExists,
    previewExists: m.previewExists,
    attachments: m.deletedAt === null ? view.attachments.map((a) => presentMedia(a, publicUrl)) : [],
    readMarks: view.readMarks.map((r) => ({ id: r.id, user: presentMember(r.user, publicUrl), createdAt: iso(r.createdAt) })),
    reactions: (view.reactions ?? []).map((r) => ({ emoji: r.emoji, count: r.userIds.length, me: viewerId !== undefined && r.userIds.includes(viewerId) })),
    replyTo: view.replyTo,
    threadId: view.threadId,
    thread: view.thread && { count: view.thread.count, lastReplyAt: iso(view.thread.lastReplyAt), participants: view.thread.participants },
    mentions: view.mentions ?? [],
    deliveredTo: view.deliveredTo ?? [],
  });
}

/** ChatInfo; `settings` overrides the view's own (an event presented for another recipient). */
export function presentChat(view: ChatView, publicUrl: string, settings: ChatSettingsView = view.settings) {
  return compact({
    id: view.chat.id,
    title: view.chat.title,
    isPersonal: view.chat.isPersonal,
    owner: presentMember(view.owner, publicUrl),
    allUsers: view.members.map((u) => presentMember(u, publicUrl)),
    addedUsers: view.addedUsers?.map((u) => presentMember(u, publicUrl)),
    removedUsers: view.removedUsers?.map((u) => presentMember(u, publicUrl)),
    lastMessage: view.lastMessage && presentMessage(view.lastMessage, publicUrl),
    images: view.images.map((i) => presentMedia(i, publicUrl)),
    isMuted: settings.isMuted,
    notify: settings.notify ?? (settings.isMuted ? 'none' : 'all'),
    isArchived: settings.isArchived,
    isBlocked: settings.isBlocked,
    unreadCount: view.unreadCount,
    pinned: view.pinned ?? [],
    roles: view.roles,
  });
}

export function presentContact(view: ContactView, publicUrl: string) {
  return compact({
    id: view.contact.id,
    name: view.contact.name,
    isFavorite: view.contact.isFavorite,
    isBlocked: view.contact.isBlocked,
    user: presentMember(view.user, publicUrl),
  });
}
