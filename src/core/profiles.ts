/**
 * A user as others may see them: what presenters show and what events carry across nodes.
 * Built from a `UserRecord` by `profileOf`, which drops every secret (password and account
 * key hashes), so nothing secret can reach a bus, a socket or another family by accident.
 */
import type { MediaView, Profile } from '../ports/events.js';
import type { MediaRecord, Store, UserRecord } from '../ports/store.js';

/** The part of an upload that views and events carry. */
export const mediaViewOf = (m: MediaRecord): MediaView => ({
  id: m.id,
  fileType: m.fileType,
  fileSize: m.fileSize,
  previewWidth: m.previewWidth,
  previewHeight: m.previewHeight,
  createdAt: m.createdAt,
});

export type { Profile };

export function profileOf(user: UserRecord | Profile): Profile {
  const profile: Profile = {
    id: user.id,
    uid: user.uid,
    username: user.username,
    displayName: user.displayName,
    about: user.about,
    lastSeenAt: user.lastSeenAt,
  };
  if (user.isBot) profile.isBot = true;
  return profile;
}

/** Loads the profiles of `ids` (missing users are left out); `withPhotos` adds each one's photos, newest first. */
export async function loadProfiles(store: Pick<Store, 'users' | 'media'>, ids: Iterable<number>, { withPhotos = false } = {}): Promise<Map<number, Profile>> {
  const wanted = [...new Set(ids)];
  const [users, photos] = await Promise.all([
    store.users.findByIds(wanted),
    withPhotos && wanted.length > 0 ? store.media.listAttached(wanted, 'photo') : Promise.resolve([]),
  ]);
  const profiles = new Map(users.map((u) => [u.id, profileOf(u)]));
  if (withPhotos) {
    for (const profile of profiles.values()) profile.photos = [];
    // listAttached answers newest first, as UserInfo lists photos.
    for (const m of photos) profiles.get(m.ownerId)?.photos?.push(mediaViewOf(m));
  }
  return profiles;
}
