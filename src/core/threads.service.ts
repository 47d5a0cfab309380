/**
 * Threads (issue 19): a send with `threadId` is a reply in the thread of a main-history
 * message (its root). Replies take the chat's next seq like any message but stay out of the
 * main history; the root carries their summary (`thread`), and each change of it is a
 * `messageUpdate` of the root to the members.
 */
import { invalid, notFound } from '../errors.js';
import type { MessageView, Profile } from '../ports/events.js';
import type { MessageRecord, Store } from '../ports/store.js';
import { refuseBlockedMember, requireMembership } from './chat-access.js';
import type { ChatEvents } from './chat-events.js';
import { buildMessageViews } from './chat-views.js';
import { canonicalUuid } from './message-ids.js';
import { canSee, findMessageIn } from './message-lookup.js';
import { HISTORY_MAX } from './message-rules.js';

const badRoot = () => invalid([{ name: 'threadId', reason: 'must be a message of this chat’s main history that you can see' }]);

/**
 * The root a send names as `threadId`: a message of the same chat that the author can see
 * (not deleted; visible or their own) and that is not itself a thread reply; else 400 on
 * `threadId`. Undefined when the send names none.
 */
export async function threadRootOf(store: Store, chatId: string, authorId: number, threadId: string | undefined): Promise<MessageRecord | undefined> {
  if (threadId === undefined) return undefined;
  const root = await store.messages.findByUuid(canonicalUuid(threadId));
  if (!root || root.chatId !== chatId || !canSee(root, authorId) || root.threadId !== null) throw badRoot();
  return root;
}

/**
 * A reply stays in its context: inside a thread `replyTo` is the root or a reply of the same
 * thread; in the main history it is a main-history message. Else 400 on `replyTo`.
 */
export function checkReplyContext(replyTo: MessageRecord | undefined, root: MessageRecord | undefined): void {
  if (!replyTo) return;
  const fits = root ? replyTo.id === root.id || replyTo.threadId === root.id : replyTo.threadId === null;
  if (!fits) throw invalid([{ name: 'replyTo', reason: root ? 'must be the thread’s root or one of its replies' : 'must be a message of the main history' }]);
}

/** Tells the members that a root's thread summary changed; one root's announcements run one after another. */
export function createThreadAnnouncer(deps: { store: Store; events: ChatEvents }) {
  const { store, events } = deps;
  const queues = new Map<number, Promise<void>>();

  async function emit(rootId: number, source: number): Promise<void> {
    const root = await store.messages.findById(rootId);
    if (!root) return;
    const [view] = await buildMessageViews(store, root.chatId, [root]);
    await events.message('messageUpdate', view!, await store.chats.listMemberIds(root.chatId), source);
  }

  /**
   * Publishes the root's view with its summary as read now, after the change committed. Run
   * in order per root (on this node), so the last event shows the latest summary even when
   * replies arrive at once.
   */
  return function announce(rootId: number, source: number): Promise<void> {
    const next = (queues.get(rootId) ?? Promise.resolve()).catch(() => undefined).then(() => emit(rootId, source));
    queues.set(rootId, next);
    const forget = () => {
      if (queues.get(rootId) === next) queues.delete(rootId);
    };
    next.then(forget, forget);
    return next;
  };
}

export type ThreadAnnouncer = ReturnType<typeof createThreadAnnouncer>;
export type ThreadsService = ReturnType<typeof createThreadsService>;

export function createThreadsService(deps: { store: Store }) {
  const { store } = deps;
  return {
    /**
     * The replies in the thread of `rootId`, newest first (as the main history): up to `count`
     * (≤ 200) before the reply `before`. Members who can see the root read it (also once the
     * root is deleted: its replies stay); a root hidden by another author is 404; naming a
     * thread reply as the root, or a `before` outside this thread, is 400.
     */
    async listThread(actor: Profile, chatId: string, rootId: string, count: number, before: string | undefined): Promise<MessageView[]> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      refuseBlockedMember(member, 'read the history');
      const root = await findMessageIn(store, chat.id, rootId);
      if (root.threadId !== null) throw invalid([{ name: 'messageId', reason: 'is a reply in a thread; name its root' }]);
      if (root.deletedAt === null && !canSee(root, actor.id)) throw notFound('Message');
      let beforeSeq: number | null = null;
      if (before !== undefined) {
        const anchor = await findMessageIn(store, chat.id, before);
        if (anchor.threadId !== root.id) throw invalid([{ name: 'before', reason: 'must be a reply in this thread' }]);
        beforeSeq = anchor.seq;
      }
      const replies = await store.messages.listThread(root.id, beforeSeq, Math.min(count, HISTORY_MAX));
      return buildMessageViews(store, chat.id, replies);
    },
  };
}
