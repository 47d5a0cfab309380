/** The V-app's one user shape: `{id, name, display_name, image_url}` (seed 000). */
import { vappIdOf, type VappUser } from '../../core/vapp.service.js';

/** A user as the V-app shows them. */
export function presentVappUser({ user, imageUrl }: VappUser) {
  return { id: vappIdOf(user), name: user.username, display_name: user.displayName, image_url: imageUrl };
}

/** The sign-up and log-in answer: the caller, their token, everyone else. */
export function presentSession(session: { self: VappUser; token: string; users: VappUser[] }) {
  return { user: presentVappUser(session.self), token: session.token, users: session.users.map(presentVappUser) };
}
