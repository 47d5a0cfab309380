/**
 * Account-wide user blocks (issue 21). A user the caller blocked may not open a personal chat
 * with them, add them to a group (creating one included), nor write to them in a personal chat;
 * in groups they share, the blocker gets no push for their messages. Read from the store on
 * every check (no cache), so a block holds on every node at once.
 *
 * Unlike a chat's own blocks (`PUT /chats/<id>/block`, `/users/<id>/block`: one chat), this
 * follows the pair everywhere.
 */
import { forbidden, invalid, notFound } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Profile } from '../ports/events.js';
import type { Store } from '../ports/store.js';
import { loadProfiles } from './profiles.js';

export type BlocksService = ReturnType<typeof createBlocksService>;

/**
 * Refuses (403) when any of `others` blocked `actorId`: the one check of every path that
 * brings the actor to them (a personal chat, a group they are put in).
 */
export async function refuseIfBlockedBy(store: Pick<Store, 'userBlocks'>, actorId: number, others: number[]): Promise<void> {
  const blockers = await store.userBlocks.blockersAmong(
    actorId,
    others.filter((id) => id !== actorId),
  );
  if (blockers.length > 0) throw forbidden(`You cannot add or write to users who blocked you (user ids: ${blockers.join(', ')}).`);
}

/**
 * Refuses (403) a message in a personal chat between two users when either blocked the other:
 * the blocked may not write to the blocker, and the blocker writes only after unblocking.
 */
export async function refuseBlockedPair(store: Pick<Store, 'userBlocks'>, authorId: number, otherId: number): Promise<void> {
  const [theyBlocked, iBlocked] = await Promise.all([store.userBlocks.blockersAmong(authorId, [otherId]), store.userBlocks.blockedAmong(authorId, [otherId])]);
  if (theyBlocked.length > 0) throw forbidden('This user has blocked you.');
  if (iBlocked.length > 0) throw forbidden('You have blocked this user; unblock them to write.');
}

export function createBlocksService(deps: { store: Store; clock: Clock }) {
  const { store, clock } = deps;
  return {
    /** PUT /users/me/blocks/<userId>; blocking twice is the same as once. */
    async blockUser(actor: Profile, userId: number): Promise<void> {
      if (userId === actor.id) throw invalid([{ name: 'userId', reason: 'you cannot block yourself' }]);
      if (!(await store.users.findById(userId))) throw notFound('User');
      await store.userBlocks.insert({ blockerId: actor.id, blockedId: userId, createdAt: clock.now() });
    },

    /** DELETE /users/me/blocks/<userId>; 404 when that user was not blocked. */
    async unblockUser(actor: Profile, userId: number): Promise<void> {
      if (!(await store.userBlocks.delete(actor.id, userId))) throw notFound('Block');
    },

    /** The users the caller blocked, newest block first, with their photos. */
    async listBlocked(actor: Profile): Promise<Array<{ user: Profile; blockedAt: number }>> {
      const blocks = await store.userBlocks.listByBlocker(actor.id);
      const profiles = await loadProfiles(
        store,
        blocks.map((b) => b.blockedId),
        { withPhotos: true },
      );
      return blocks.flatMap((b) => {
        const user = profiles.get(b.blockedId);
        return user ? [{ user, blockedAt: b.createdAt }] : [];
      });
    },

    /** Of `userIds`, those the viewer blocked (for UserInfo `isBlocked`). */
    async blockedAmong(viewerId: number, userIds: number[]): Promise<Set<number>> {
      return new Set(await store.userBlocks.blockedAmong(viewerId, [...new Set(userIds)]));
    },
  };
}
