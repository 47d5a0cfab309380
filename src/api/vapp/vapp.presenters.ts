/** The V-app's one user shape: `{id, name, display_name, image_url}` (seed 000). */
import { vappIdOf, type VappUser } from '../../core/vapp.service.js';
import { avatarUrl } from './vapp.avatars.js';

/** A user as the V-app shows them; without a photo, `image_url` is their default avatar (never null). */
export function presentVappUser({ user, imageUrl }: VappUser, publicBase: string) {
  return { id: vappIdOf(user), name: user.username, display_name: user.displayName, image_url: imageUrl ?? avatarUrl(publicBase, user.username) };
}

/** The sign-up and log-in answer: the caller, their token, everyone else. */
export function presentSession(session: { self: VappUser; token: string; users: VappUser[] }, publicBase: string) {
  return { user: presentVappUser(session.self, publicBase), token: session.token, users: session.users.map((u) => presentVappUser(u, publicBase)) };
}
