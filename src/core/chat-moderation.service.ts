/**
 * Group moderation (issue 21): roles (`PUT /chats/<id>/users/<userId>/role`, owner only; making
 * another member the owner hands ownership over and the old owner becomes an admin) and bans
 * (the owner or an admin removes a user and keeps them out until unbanned). Each action is
 * recorded in the moderation log (the audit log) after it is stored.
 */
import { invalid, notFound } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { ChatView, Profile } from '../ports/events.js';
import type { ModerationEntry, ModerationLog } from '../ports/moderation-log.js';
import type { ChatRecord, Repositories, Store } from '../ports/store.js';
import { requireMembership } from './chat-access.js';
import type { ChatEvents } from './chat-events.js';
import { publishChatChange } from './chat-publish.js';
import { type ChatRole, requireModerator, requireOutranks, requireOwner, roleOf } from './chat-roles.js';
import { loadProfiles } from './profiles.js';

export type ChatModerationService = ReturnType<typeof createChatModerationService>;

/** A ban as the routes present it. */
export interface BanView {
  user: Profile;
  bannedBy: number | null;
  createdAt: number;
}

const notForPersonal = (chat: ChatRecord, what: string) => {
  if (chat.isPersonal) throw invalid([{ name: 'chatId', reason: `a personal chat has no ${what}` }]);
};

export function createChatModerationService(deps: { store: Store; events: ChatEvents; clock: Clock; log?: ModerationLog | undefined }) {
  const { store, events, clock } = deps;
  const publish = (...args: Parameters<typeof publishChatChange> extends [unknown, ...infer R] ? R : never) => publishChatChange({ store, events }, ...args);
  /** The one call site of the moderation log, inside the action's transaction `tx`. */
  const record = async (tx: Repositories, entry: ModerationEntry) => {
    await deps.log?.record(entry, tx);
  };

  return {
    /** Owner only. `owner` hands the chat over (the old owner becomes an admin); `admin`/`member` set a member's role. */
    async setRole(actor: Profile, chatId: string, userId: number, role: ChatRole): Promise<ChatView> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      notForPersonal(chat, 'roles');
      requireOwner(chat, member, 'change roles');
      if (userId === actor.id) throw invalid([{ name: 'userId', reason: 'the owner hands the chat over by making another member the owner' }]);
      const target = await store.chats.findMember(chat.id, userId);
      if (!target?.isMember) throw notFound('Member');
      const before = roleOf(chat, target);
      const now = clock.now();
      const entry: ModerationEntry = {
        actorId: actor.id,
        action: 'chat.role',
        targetType: 'user',
        targetId: userId,
        chatId: chat.id,
        details: { from: before, to: role },
      };
      await store.transaction(async (tx) => {
        if (role === 'owner') {
          await tx.chats.update(chat.id, { ownerId: userId, updatedAt: now });
          await tx.chats.updateMember(chat.id, userId, { role: null, isBlocked: false });
          await tx.chats.updateMember(chat.id, actor.id, { role: 'admin' });
        } else {
          await tx.chats.updateMember(chat.id, userId, { role: role === 'admin' ? 'admin' : null });
        }
        await record(tx, entry);
      });
      const updated = role === 'owner' ? { ...chat, ownerId: userId, updatedAt: now } : chat;
      return publish('chatUpdate', updated, actor.id);
    },

    /** The owner or an admin: removes `userId` (of a lower rank) if a member, and refuses them until unbanned. */
    async ban(actor: Profile, chatId: string, userId: number): Promise<ChatView> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      notForPersonal(chat, 'bans');
      requireModerator(chat, member, 'ban users');
      if (userId === actor.id) throw invalid([{ name: 'userId', reason: 'you cannot ban yourself' }]);
      if (!(await store.users.findById(userId))) throw notFound('User');
      const target = await store.chats.findMember(chat.id, userId);
      requireOutranks(chat, member, target?.isMember ? target : undefined, 'ban');
      const now = clock.now();
      const wasMember = target?.isMember ?? false;
      await store.transaction(async (tx) => {
        // Banning twice is one ban, recorded once.
        if (!(await tx.chatBans.insert({ chatId: chat.id, userId, bannedBy: actor.id, createdAt: now }))) return;
        if (wasMember) await tx.chats.updateMember(chat.id, userId, { isMember: false, removedAt: now, role: null });
        await record(tx, { actorId: actor.id, action: 'chat.ban', targetType: 'user', targetId: userId, chatId: chat.id, details: { removed: wasMember } });
      });
      if (wasMember) return publish('removedUsers', chat, actor.id, [userId], { removedUsers: [userId] });
      return publish('chatUpdate', chat, actor.id);
    },

    /** The owner or an admin lifts a ban; the user may be added again (they are not re-added). */
    async unban(actor: Profile, chatId: string, userId: number): Promise<void> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      notForPersonal(chat, 'bans');
      requireModerator(chat, member, 'unban users');
      await store.transaction(async (tx) => {
        if (!(await tx.chatBans.delete(chat.id, userId))) throw notFound('Ban');
        await record(tx, { actorId: actor.id, action: 'chat.unban', targetType: 'user', targetId: userId, chatId: chat.id });
      });
    },

    /** The chat's bans, newest first: for its owner and admins. */
    async listBans(actor: Profile, chatId: string): Promise<BanView[]> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      notForPersonal(chat, 'bans');
      requireModerator(chat, member, 'list bans');
      const bans = await store.chatBans.listByChat(chat.id);
      const profiles = await loadProfiles(
        store,
        bans.map((b) => b.userId),
        { withPhotos: true },
      );
      return bans.flatMap((b) => {
        const user = profiles.get(b.userId);
        return user ? [{ user, bannedBy: b.bannedBy, createdAt: b.createdAt }] : [];
      });
    },
  };
}
