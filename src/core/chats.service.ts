/**
 * Chats: creation (one personal chat per pair), membership, per-member settings, and blocks.
 * Every rule of SPEC 2 "Chats" lives here; the routes only translate. A chat the caller is not
 * in answers 404; owner-only actions answer 403 to other members.
 */
import { randomUUID } from 'node:crypto';
import { forbidden, invalid, notFound } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { ChatView, NotifyLevel, Profile } from '../ports/events.js';
import { UniqueViolation, type ChatRecord, type MemberRecord, type Store } from '../ports/store.js';
import { refuseIfBlockedBy } from './blocks.service.js';
import { refuseBlockedMember, requireMemberRow, requireMembership } from './chat-access.js';
import type { ChatEvents } from './chat-events.js';
import { publishChatChange } from './chat-publish.js';
import { requireModerator, requireOutranks, roleOf } from './chat-roles.js';
import { buildChatView } from './chat-views.js';
import { blobKeysOf } from './media-names.js';
import type { MediaService } from './media.service.js';
import { loadProfiles } from './profiles.js';

export const MAX_ADDED_PER_CALL = 10;
export const MAX_PARTICIPANTS_AT_CREATION = 100;
export const TITLE_MAX = 128;

const newMember = (chatId: string, userId: number, at: number): MemberRecord => ({
  chatId,
  userId,
  isMember: true,
  isMuted: false,
  isArchived: false,
  isRemovedOnDevice: false,
  hasBlockedChat: false,
  isBlocked: false,
  lastReadSeq: 0,
  addedAt: at,
  removedAt: null,
});

const personalKey = (a: number, b: number) => `${Math.min(a, b)}:${Math.max(a, b)}`;
const badRequest = (name: string, reason: string) => invalid([{ name, reason }]);

export type ChatsService = ReturnType<typeof createChatsService>;

export function createChatsService(deps: { store: Store; events: ChatEvents; media: MediaService; clock: Clock }) {
  const { store, events, media, clock } = deps;
  const view = (chat: ChatRecord, viewer: MemberRecord | undefined, extra: Parameters<typeof buildChatView>[3] = { withMembers: true }) =>
    buildChatView(store, chat, viewer, extra);

  /** Removes `userId` from a group; an admin (else the longest-standing member) inherits ownership, and an empty chat is deleted. */
  async function depart(chat: ChatRecord, userId: number, patch: Partial<MemberRecord>): Promise<ChatRecord | undefined> {
    const now = clock.now();
    await store.chats.updateMember(chat.id, userId, { isMember: false, removedAt: now, role: null, ...patch });
    if (chat.ownerId !== userId) return chat;
    const remaining = await store.chats.listMembers(chat.id, true);
    // An admin of longest standing inherits first, else the longest-standing member.
    const heir = remaining.find((m) => m.role === 'admin') ?? remaining[0];
    if (!heir) {
      await store.chats.delete(chat.id);
      return undefined;
    }
    await store.chats.update(chat.id, { ownerId: heir.userId, updatedAt: now });
    if (heir.role) await store.chats.updateMember(chat.id, heir.userId, { role: null });
    return { ...chat, ownerId: heir.userId, updatedAt: now };
  }

  const publishChat = (
    kind: 'chatUpdate' | 'addedUsers' | 'removedUsers',
    chat: ChatRecord,
    actorId: number,
    extraRecipients: number[] = [],
    extra: { addedUsers?: number[]; removedUsers?: number[] } = {},
  ) => publishChatChange({ store, events }, kind, chat, actorId, extraRecipients, extra);

  return {
    /** POST /chats: a personal chat for a pair (reused if it exists) or a group. */
    async createChat(actor: Profile, input: { title?: string | undefined; participants: number[]; isPersonal?: boolean | undefined }): Promise<ChatView> {
      const others = [...new Set(input.participants)].filter((id) => id !== actor.id);
      if (others.length === 0) throw badRequest('participants', 'must name at least one other user');
      if (others.length > MAX_PARTICIPANTS_AT_CREATION) throw badRequest('participants', `at most ${MAX_PARTICIPANTS_AT_CREATION} users`);
      const found = await loadProfiles(store, others);
      const unknown = others.filter((id) => !found.has(id));
      if (unknown.length > 0) throw badRequest('participants', `unknown user ids: ${unknown.join(', ')}`);
      const isPersonal = input.isPersonal ?? others.length === 1;
      if (isPersonal && others.length !== 1) throw badRequest('isPersonal', 'a personal chat has exactly two participants');
      const title = input.title?.trim() || null;
      if (title && [...title].length > TITLE_MAX) throw badRequest('title', `must be at most ${TITLE_MAX} characters`);
      // Nobody opens a personal chat with, or puts into a group, a user who blocked them.
      await refuseIfBlockedBy(store, actor.id, others);

      const now = clock.now();
      const chat: ChatRecord = {
        id: randomUUID(),
        title: isPersonal ? null : title,
        isPersonal,
        personalKey: isPersonal ? personalKey(actor.id, others[0]!) : null,
        ownerId: actor.id,
        roomName: null,
        lastSeq: 0,
        lastActivityAt: now,
        createdAt: now,
        updatedAt: now,
      };
      if (chat.personalKey) {
        const existing = await store.chats.findByPersonalKey(chat.personalKey);
        if (existing) return view(existing, await store.chats.findMember(existing.id, actor.id));
      }
      try {
        await store.chats.insert(
          chat,
          [actor.id, ...others].map((id) => newMember(chat.id, id, now)),
        );
      } catch (error) {
        // Both users of a pair created their chat at once: the second gets the first's.
        if (!(error instanceof UniqueViolation) || !chat.personalKey) throw error;
        const existing = await store.chats.findByPersonalKey(chat.personalKey);
        if (!existing) throw error;
        return view(existing, await store.chats.findMember(existing.id, actor.id));
      }
      return publishChat('addedUsers', chat, actor.id, [], { addedUsers: others });
    },

    /** GET /chats: newest activity first; `full` includes every member of every chat. */
    async listChats(actor: Profile, full: boolean): Promise<ChatView[]> {
      const rows = await store.chats.listForUser(actor.id);
      return Promise.all(rows.map(({ chat, member }) => view(chat, member, { withMembers: full })));
    },

    async getChat(actor: Profile, chatId: string): Promise<ChatView> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      return view(chat, member);
    },

    async updateTitle(actor: Profile, chatId: string, title: string): Promise<ChatView> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      if (chat.isPersonal) throw badRequest('title', 'a personal chat has no title');
      refuseBlockedMember(member, 'rename the chat');
      const trimmed = title.trim();
      if ([...trimmed].length > TITLE_MAX) throw badRequest('title', `must be at most ${TITLE_MAX} characters`);
      const now = clock.now();
      await store.chats.update(chat.id, { title: trimmed || null, updatedAt: now });
      return publishChat('chatUpdate', { ...chat, title: trimmed || null, updatedAt: now }, actor.id);
    },

    /** The caller's own flags; only the caller is told. */
    async updateSettings(
      actor: Profile,
      chatId: string,
      patch: {
        isMuted?: boolean | undefined;
        notify?: NotifyLevel | undefined;
        isArchived?: boolean | undefined;
        isRemovedOnDevice?: boolean | undefined;
      },
    ): Promise<ChatView> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      const { notify, ...flags } = patch;
      if (notify !== undefined && patch.isMuted !== undefined && patch.isMuted !== (notify === 'none')) {
        throw badRequest('notify', 'contradicts isMuted (muted is notify "none")');
      }
      const updated = { ...member, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) } as MemberRecord;
      // The level and the mute are one setting: "none" is muted; unmuting notifies of all again.
      if (notify !== undefined) {
        updated.isMuted = notify === 'none';
        updated.mentionsOnly = notify === 'mentions';
      } else if (patch.isMuted !== undefined && patch.isMuted !== member.isMuted) {
        updated.mentionsOnly = false;
      }
      await store.chats.updateMember(chat.id, actor.id, {
        isMuted: updated.isMuted,
        mentionsOnly: updated.mentionsOnly ?? false,
        isArchived: updated.isArchived,
        isRemovedOnDevice: updated.isRemovedOnDevice,
      });
      const snapshot = await view(chat, updated);
      await events.chat('chatUpdate', snapshot, [updated], [actor.id], actor.id);
      return snapshot;
    },

    /** Adds up to 10 users; users who blocked the chat, and current members, are skipped. */
    async addUsers(actor: Profile, chatId: string, userIds: number[]): Promise<ChatView> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      if (chat.isPersonal) throw badRequest('users', 'users cannot be added to a personal chat');
      refuseBlockedMember(member, 'add users');
      const wanted = [...new Set(userIds)];
      if (wanted.length === 0 || wanted.length > MAX_ADDED_PER_CALL) throw badRequest('users', `name 1 to ${MAX_ADDED_PER_CALL} users`);
      const [profiles, rows, banned] = await Promise.all([
        loadProfiles(store, wanted),
        store.chats.listMembers(chat.id, false),
        store.chatBans.bannedAmong(chat.id, wanted),
      ]);
      if (banned.length > 0) throw forbidden(`Banned from this chat until unbanned (user ids: ${banned.join(', ')}).`);
      await refuseIfBlockedBy(store, actor.id, wanted);
      const rowOf = new Map(rows.map((r) => [r.userId, r]));
      const added = wanted.filter((id) => profiles.has(id) && !rowOf.get(id)?.isMember && !rowOf.get(id)?.hasBlockedChat);
      if (added.length === 0) throw badRequest('users', 'none of these users could be added (unknown, already members, or they blocked this chat)');
      const now = clock.now();
      for (const id of added) {
        const previous = rowOf.get(id);
        await store.chats.upsertMember({ ...newMember(chat.id, id, now), isBlocked: previous?.isBlocked ?? false, lastReadSeq: previous?.lastReadSeq ?? 0 });
      }
      return publishChat('addedUsers', chat, actor.id, [], { addedUsers: added });
    },

    /** Owner only; not for personal chats. */
    async removeUsers(actor: Profile, chatId: string, userIds: number[]): Promise<ChatView> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      if (chat.isPersonal) throw badRequest('users', 'users cannot be removed from a personal chat');
      refuseBlockedMember(member, 'remove users');
      requireModerator(chat, member, 'remove users');
      const wanted = [...new Set(userIds)].filter((id) => id !== actor.id);
      if (wanted.length === 0 || wanted.length > MAX_ADDED_PER_CALL) throw badRequest('users', `name 1 to ${MAX_ADDED_PER_CALL} users other than yourself`);
      const active = new Map((await store.chats.listMembers(chat.id, true)).map((m) => [m.userId, m]));
      const removed = wanted.filter((id) => active.has(id));
      if (removed.length === 0) throw badRequest('users', 'none of these users is a member');
      for (const id of removed) requireOutranks(chat, member, active.get(id), 'remove');
      const now = clock.now();
      for (const id of removed) await store.chats.updateMember(chat.id, id, { isMember: false, removedAt: now, role: null });
      return publishChat('removedUsers', chat, actor.id, removed, { removedUsers: removed });
    },

    /** Owner only: the chat, its messages, settings and read marks go. */
    async deleteChat(actor: Profile, chatId: string): Promise<void> {
      const { chat } = await requireMembership(store, chatId, actor.id);
      if (chat.ownerId !== actor.id) throw forbidden('Only the chat owner may delete the chat.');
      const recipients = events.activeIds(await store.chats.listMembers(chat.id, true));
      const files = await store.media.linkedToChats([chat.id], { images: true });
      await store.transaction(async (tx) => {
        await tx.events.deleteForChat(chat.id);
        await tx.media.deleteMany(files.map((f) => f.id));
        await tx.chats.delete(chat.id);
      });
      await media.deleteFiles(files.flatMap(blobKeysOf));
      await events.gone('chatDeleted', chat.id, recipients, actor.id);
    },

    /** DELETE /chats/<id>/me: leave a group chat. */
    async leaveChat(actor: Profile, chatId: string): Promise<void> {
      const { chat } = await requireMembership(store, chatId, actor.id);
      if (chat.isPersonal) throw badRequest('chatId', 'a personal chat cannot be left; block it instead');
      const remaining = await depart(chat, actor.id, {});
      if (remaining) await publishChat('removedUsers', remaining, actor.id, [actor.id], { removedUsers: [actor.id] });
    },

    /** Clears the history for everyone: the owner of a group, either user of a personal chat. */
    async clearChat(actor: Profile, chatId: string): Promise<void> {
      const { chat } = await requireMembership(store, chatId, actor.id);
      if (!chat.isPersonal && chat.ownerId !== actor.id) throw forbidden('Only the chat owner may clear a group chat.');
      const files = await store.media.linkedToChats([chat.id], { images: false });
      await store.transaction(async (tx) => {
        await tx.media.deleteMany(files.map((f) => f.id));
        await tx.messages.clearChat(chat.id);
        await tx.events.deleteForChat(chat.id);
      });
      await media.deleteFiles(files.flatMap(blobKeysOf));
      await events.gone('chatCleared', chat.id, events.activeIds(await store.chats.listMembers(chat.id, true)), actor.id);
    },

    /**
     * Blocks the chat for the caller. A group: the caller leaves and cannot be added again.
     * A personal chat: the caller stays, and the other user can no longer post in it.
     */
    async blockChat(actor: Profile, chatId: string): Promise<void> {
      const { chat } = await requireMembership(store, chatId, actor.id);
      if (chat.isPersonal) {
        await store.chats.updateMember(chat.id, actor.id, { hasBlockedChat: true });
        return;
      }
      const remaining = await depart(chat, actor.id, { hasBlockedChat: true });
      if (remaining) await publishChat('removedUsers', remaining, actor.id, [actor.id], { removedUsers: [actor.id] });
    },

    /** Undoes `blockChat`; a group is not re-joined, but the caller may be added again. */
    async unblockChat(actor: Profile, chatId: string): Promise<void> {
      const { chat, member } = await requireMemberRow(store, chatId, actor.id);
      if (!member.isMember && !member.hasBlockedChat) throw notFound('Chat');
      await store.chats.updateMember(chat.id, actor.id, { hasBlockedChat: false });
    },

    /** The owner or an admin: `userId` (of a lower rank) may no longer post (or may again). */
    async setUserBlocked(actor: Profile, chatId: string, userId: number, blocked: boolean): Promise<void> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      if (chat.isPersonal) throw badRequest('chatId', 'block a personal chat with PUT /chats/<id>/block');
      requireModerator(chat, member, 'block users');
      if (userId === actor.id) throw badRequest('userId', 'you cannot block yourself');
      const target = await store.chats.findMember(chat.id, userId);
      if (!target?.isMember) throw notFound('Member');
      requireOutranks(chat, member, target, 'block');
      await store.chats.updateMember(chat.id, userId, { isBlocked: blocked });
      await publishChat('chatUpdate', chat, actor.id);
    },

    /** Adds an image of the caller's (an upload) to a group chat; every member is told. */
    async addImage(actor: Profile, chatId: string, mediaId: string): Promise<ChatView> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      if (chat.isPersonal) throw badRequest('image', 'a personal chat has no images');
      refuseBlockedMember(member, 'add chat images');
      const image = await media.attach(actor.id, mediaId, 'chat_image', { imagesOnly: true, exclusive: true });
      await store.media.linkChatImage(chat.id, image.id, clock.now());
      return publishChat('chatUpdate', chat, actor.id);
    },

    /** Removes a chat image and its files: its uploader, the chat owner or an admin may. */
    async removeImage(actor: Profile, chatId: string, mediaId: string): Promise<void> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      const image = ((await store.media.chatImagesOf([chat.id])).get(chat.id) ?? []).find((m) => m.id === mediaId);
      if (!image) throw notFound('Image');
      if (image.ownerId !== actor.id && roleOf(chat, member) === 'member')
        throw forbidden('Only its uploader, the chat owner or an admin may remove an image.');
      await store.media.deleteMany([image.id]);
      await media.deleteFiles(blobKeysOf(image));
      await publishChat('chatUpdate', chat, actor.id);
    },

    async listBlockedUsers(actor: Profile, chatId: string): Promise<Profile[]> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      refuseBlockedMember(member, 'list the blocked users');
      const blocked = (await store.chats.listMembers(chat.id, true)).filter((m) => m.isBlocked).map((m) => m.userId);
      const profiles = await loadProfiles(store, blocked, { withPhotos: true });
      return blocked.map((id) => profiles.get(id)).filter((p): p is Profile => p !== undefined);
    },
  };
}
