/** Public profiles: look-up, search, the caller's own name and about text, and photos. */
import { notFound } from '../errors.js';
import type { Bus } from '../ports/bus.js';
import type { Clock } from '../ports/clock.js';
import type { MediaRecord, Store, UserRecord } from '../ports/store.js';
import { ABOUT_MAX, FieldChecks } from './account-rules.js';
import type { ChatEvents } from './chat-events.js';
import { profileOf } from './profiles.js';
import type { MediaService } from './media.service.js';

export const SEARCH_LIMIT_MAX = 100;

export type UsersService = ReturnType<typeof createUsersService>;

export function createUsersService(deps: { store: Store; bus: Bus; events: ChatEvents; media: MediaService; clock: Clock }) {
  const { store, bus, events, media, clock } = deps;
  return {
    async getUser(id: number): Promise<UserRecord> {
      const user = await store.users.findById(id);
      if (!user) throw notFound('User');
      return user;
    },

    /** Users whose display name or username contains `query`, case-insensitively. */
    searchUsers(query: string, limit: number, offset: number): Promise<UserRecord[]> {
      return store.users.search({ query: query.trim(), limit: Math.min(limit, SEARCH_LIMIT_MAX), offset });
    },

    /** `searchUsers`, each user with its rank; by keyset when `after` (the rank and id of a page's last user) is given. */
    searchUsersRanked(
      query: string,
      limit: number,
      page: { offset: number; after?: { rank: number; id: number } | undefined },
    ): Promise<{ user: UserRecord; rank: number }[]> {
      return store.users.searchRanked({ query: query.trim(), limit: Math.min(limit, SEARCH_LIMIT_MAX), ...page });
    },

    /** All users, newest first, `count` at a time below the cursor `before` (upstream's GET /users/all). */
    listUsers(before: number | undefined, count: number): Promise<UserRecord[]> {
      return store.users.newest({ before, limit: Math.min(count, SEARCH_LIMIT_MAX) });
    },

    async updateProfile(user: UserRecord, patch: { name?: string | undefined; about?: string | undefined }): Promise<UserRecord> {
      const checks = new FieldChecks();
      if (patch.name !== undefined) checks.displayName('name', patch.name);
      if (patch.about !== undefined) checks.check([...patch.about].length <= ABOUT_MAX, 'about', `must be at most ${ABOUT_MAX} characters`);
      checks.assert();
      const updated: UserRecord = {
        ...user,
        displayName: patch.name?.trim() ?? user.displayName,
        about: patch.about === undefined ? user.about : patch.about === '' ? null : patch.about,
        updatedAt: clock.now(),
      };
      await store.users.update(user.id, { displayName: updated.displayName, about: updated.about, updatedAt: updated.updatedAt });
      await bus.publish('user.updated', { userId: user.id });
      // The user's other devices and everyone who shares a chat with them see the change.
      await events.userUpdate(profileOf(updated), [user.id, ...(await store.chats.listPeerIds(user.id))]);
      return updated;
    },

    /** The users' photos, newest first, by user id (every id present, maybe with none). */
    photosOf(userIds: number[]): Promise<Map<number, MediaRecord[]>> {
      return media.attachedBy(userIds, 'photo');
    },

    /** Makes an image the caller uploaded a photo of theirs; it becomes the newest photo. */
    async addPhoto(user: UserRecord, mediaId: string): Promise<void> {
      await media.attach(user.id, mediaId, 'photo', { imagesOnly: true });
      await bus.publish('user.updated', { userId: user.id });
    },

    /** Removes one of the caller's photos with its files. */
    async removePhoto(user: UserRecord, mediaId: string): Promise<void> {
      await media.remove(user.id, mediaId, 'photo');
      await bus.publish('user.updated', { userId: user.id });
    },
  };
}
