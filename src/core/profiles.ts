/**
 * A user as others may see them: what presenters show and what events carry across nodes.
 * Built from a `UserRecord` by `profileOf`, which drops every secret (password and account
 * key hashes), so nothing secret can reach a bus, a socket or another family by accident.
 */
import type { Profile } from '../ports/events.js';
import type { Store, UserRecord } from '../ports/store.js';

export type { Profile };

export function profileOf(user: UserRecord | Profile): Profile {
  return { id: user.id, uid: user.uid, username: user.username, displayName: user.displayName, about: user.about, lastSeenAt: user.lastSeenAt };
}

/** Loads the profiles of `ids` (missing users are left out). */
export async function loadProfiles(store: Pick<Store, 'users'>, ids: Iterable<number>): Promise<Map<number, Profile>> {
  const users = await store.users.findByIds([...new Set(ids)]);
  return new Map(users.map((u) => [u.id, profileOf(u)]));
}
