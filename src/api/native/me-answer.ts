/**
 * The caller's own UserInfo (with email, device sessions and photos), as GET /users/me answers
 * it. Under /api the routes the seed answers "OK" send it: upstream's web app reads the updated
 * object from them.
 */
import type { Core } from '../../core/index.js';
import { presentMedia } from './media.presenters.js';
import { presentUser } from './users.presenters.js';

/** The up-to-date UserInfo of user `userId`, as its owner sees it. */
export async function presentMe(core: Core, publicUrl: string, userId: number) {
  const [user, sessions, photos] = await Promise.all([core.users.getUser(userId), core.sessions.list(userId), core.users.photosOf([userId])]);
  return presentUser(user, { self: true, sessions, photos: (photos.get(userId) ?? []).map((m) => presentMedia(m, publicUrl)) });
}
