/**
 * Messages: idempotent sends with a gap-free per-chat seq, history, edits, tombstoning
 * deletes, read marks, and never-stored notifications. Store first, then publish.
 */
import { randomUUID } from 'node:crypto';
import { AppError, forbidden, invalid, notFound } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { EditRecord } from '../ports/message-extras.js';
import type { ChatEvent, MessageView, Profile } from '../ports/events.js';
import {
  UniqueViolation,
  type ChatRecord,
  type MediaRecord,
  type MemberRecord,
  type MessageRecord,
  type PushTarget,
  type Repositories,
  type Store,
} from '../ports/store.js';
import { createBatcher } from './batcher.js';
import { refuseBlockedPair } from './blocks.service.js';
import { refuseBlockedMember, requireMembership } from './chat-access.js';
import { isModerator } from './chat-roles.js';
import type { ChatEvents } from './chat-events.js';
import { buildMessageViews, mediaViewOf, replyToViewOf } from './chat-views.js';
import { resolveMentions } from './mentions.js';
import { canSee, findMessageIn } from './message-lookup.js';
import { cannotPost, checkTextSize, HISTORY_MAX } from './message-rules.js';
import { blobKeysOf } from './media-names.js';
import { canonicalUuid, newMessageId } from './message-ids.js';
import type { MediaService } from './media.service.js';
import type { PushService } from './push.service.js';
import { mimeOf } from './media-types.js';
import type { ModerationLog } from '../ports/moderation-log.js';
import type { Throttle } from './throttle.service.js';
import { checkReplyContext, createThreadAnnouncer, threadRootOf } from './threads.service.js';

/**
 * An attachment as the client sends it: the id of an upload of theirs, or no id, in which
 * case the server reserves one (a placeholder the client then uploads with `File-Name: id`).
 * `fileType` and `fileSize` are advisory: the stored file's own facts win once it exists.
 */
export interface AttachmentInput {
  id?: string | undefined;
  fileType: string;
  fileSize: number;
}

export interface SendInput {
  localId: string;
  text?: string | undefined;
  isVisible?: boolean | undefined;
  attachment?: AttachmentInput | undefined;
  /** The id of the message (same chat, visible to the author) this one replies to. */
  replyTo?: string | undefined;
  /** The id of the main-history message (same chat) in whose thread this one is a reply. */
  threadId?: string | undefined;
}

const FILE_TYPE = /^[a-z0-9]{1,10}$/;

interface SendJob {
  chat: ChatRecord;
  author: Profile;
  input: SendInput;
  text: string;
  attachment: { record: MediaRecord; insert: boolean } | undefined;
  replyTo: MessageRecord | undefined;
  /** The thread's root, for a reply in a thread. */
  thread?: MessageRecord | undefined;
  mentions: number[];
  now: number;
}

export interface EditInput {
  text?: string | undefined;
  isVisible?: boolean | undefined;
  fileExists?: boolean | undefined;
  previewExists?: boolean | undefined;
}

export type MessagesService = ReturnType<typeof createMessagesService>;

/** Caches of one batch of sends: each chat's push targets. */
interface BatchCache {
  pushTargets: Map<string, PushTarget[]>;
}

const newCache = (): BatchCache => ({ pushTargets: new Map() });

export function createMessagesService(deps: {
  store: Store;
  events: ChatEvents;
  media: MediaService;
  clock: Clock;
  push?: PushService | undefined;
  /** The per-user send limit (`send_user`); absent: unlimited (a core built for a tool). */
  throttle?: Pick<Throttle, 'countSend'> | undefined;
  /** Where a moderator's delete is recorded (the audit log). */
  log?: ModerationLog | undefined;
}) {
  const { store, events, media, clock } = deps;
  const countSend = deps.throttle ? (userId: number) => deps.throttle!.countSend(userId) : async () => {};
  // Skipped entirely when no push transport is configured.
  const push = deps.push?.enabled ? deps.push : undefined;
  const announceThread = createThreadAnnouncer({ store, events });

  /**
   * Writes one send inside `tx`: the seq, the message, its attachment, the author's read
   * position, and its event (logged in the same transaction, so a stored message always has
   * its event), and its pushes to offline devices (the outbox, same transaction).
   */
  async function writeSend(tx: Repositories, job: SendJob, cache: BatchCache): Promise<ChatEvent> {
    const { chat, author, input, text, attachment, replyTo, thread, mentions, now } = job;
    // The seq, the chat back on hidden devices, the author's read position, the members: one call.
    const { seq, memberIds } = await tx.chats.advanceForSend(chat.id, author.id, now);
    const inserted = await tx.messages.insert({
      uuid: newMessageId(now),
      chatId: chat.id,
      seq,
      authorId: author.id,
      localId: input.localId,
      text,
      isVisible: input.isVisible ?? true,
      fileExists: null,
      previewExists: null,
      createdAt: now,
      updatedAt: now,
      editedAt: null,
      deletedAt: null,
      replyToId: replyTo?.id ?? null,
      threadId: thread?.id ?? null,
    });
    // Attached after the insert: a concurrent duplicate send fails on its localId first and replays.
    if (attachment?.insert) await tx.media.insert(attachment.record);
    else if (attachment && !(await tx.media.attach(attachment.record.id, 'attachment', now))) {
      throw new AppError('conflict', 'That upload is already in use.', { field: 'attachment.id' });
    }
    if (attachment) await tx.media.linkAttachments(inserted.id, [attachment.record.id]);
    if (mentions.length > 0) await tx.messageExtras.addMentions(inserted.id, mentions, now);
    if (thread) await tx.messages.markThread(thread.id);
    // Sending implies having read everything before: advanceForSend moved the author's read position.
    const recipients = memberIds;
    // A new message has no read marks yet and its author is at hand: no queries for its view.
    const message: MessageView = {
      message: inserted,
      author,
      attachments: attachment ? [mediaViewOf(attachment.record)] : [],
      readMarks: [],
      reactions: [],
      mentions,
      ...(replyTo ? { replyTo: replyToViewOf(replyTo) } : {}),
      ...(thread ? { threadId: thread.uuid } : {}),
    };
    if (push) await push.enqueueMessage(tx, message, cache.pushTargets);
    return events.record(tx, { kind: 'message', chatId: chat.id, source: author.id, recipients, message });
  }

  // Concurrent sends share one transaction (group commit); see batcher.ts. They are written
  // chat by chat in chat-id order (arrival order within a chat), so that batches of several
  // nodes lock chat rows in the same order and cannot deadlock each other.
  const sends = createBatcher<SendJob, ChatEvent>({
    runBatch: (jobs) =>
      store.transaction(async (tx) => {
        const cache = newCache();
        const out = new Array<ChatEvent>(jobs.length);
        const order = jobs.map((_, i) => i).sort((x, y) => (jobs[x]!.chat.id < jobs[y]!.chat.id ? -1 : jobs[x]!.chat.id > jobs[y]!.chat.id ? 1 : x - y));
        for (const i of order) out[i] = await writeSend(tx, jobs[i]!, cache);
        return out;
      }),
    runOne: (job) => store.transaction((tx) => writeSend(tx, job, newCache())),
  });

  /** Resolves the attachment before the send's transaction: the caller's own upload, or a placeholder to insert. */
  async function prepareAttachment(author: Profile, input: AttachmentInput | undefined): Promise<{ record: MediaRecord; insert: boolean } | undefined> {
    if (!input) return undefined;
    if (input.id !== undefined) return { record: await media.usableUpload(author.id, input.id), insert: false };
    const fileType = input.fileType.toLowerCase();
    if (!FILE_TYPE.test(fileType)) throw invalid([{ name: 'attachment.fileType', reason: 'must be a file extension such as png' }]);
    const now = clock.now();
    return {
      insert: true,
      record: {
        id: randomUUID(),
        ownerId: author.id,
        fileType,
        mime: mimeOf(fileType),
        fileSize: input.fileSize,
        width: null,
        height: null,
        previewWidth: null,
        previewHeight: null,
        ready: false,
        attachedAs: 'attachment',
        attachedAt: now,
        createdAt: now,
      },
    };
  }

  /** `author` with its photos (newest first), loaded unless the caller already has them. */
  async function photosOf(author: Profile): Promise<Profile> {
    if (author.photos) return author;
    const photos = await store.media.listAttached([author.id], 'photo');
    return { ...author, photos: photos.map(mediaViewOf) };
  }

  const viewOne = async (message: MessageRecord, known?: Map<number, Profile>) => (await buildMessageViews(store, message.chatId, [message], known))[0]!;
  const recipientsOf = (chatId: string) => store.chats.listMemberIds(chatId);

  /**
   * Refuses a member who may not post: blocked by the owner or an admin, or either side blocked
   * the personal chat, or either user blocked the other (account-wide, issue 21).
   */
  async function assertMayPost(chat: ChatRecord, member: MemberRecord): Promise<void> {
    if (member.isBlocked) throw cannotPost('The chat owner or an admin has blocked you from posting here.');
    if (member.hasBlockedChat) throw cannotPost('You have blocked this chat; unblock it to post.');
    if (chat.isPersonal) {
      const members = await store.chats.listMembers(chat.id, true);
      if (members.some((m) => m.userId !== member.userId && m.hasBlockedChat)) throw cannotPost('You cannot post in this chat.');
      const other = members.find((m) => m.userId !== member.userId);
      if (other) await refuseBlockedPair(store, member.userId, other.userId);
    }
  }

  /** The one resolver of a message a client names (see message-lookup.ts). */
  const resolve = (chatId: string, messageId: string) => findMessageIn(store, chatId, messageId);

  /**
   * Erases the content: a tombstone with deletedAt stays in the history; files, events and pushes
   * of it go. `deletedBy` names a moderator or administrator who is not the author (null: the author).
   */
  async function erase(
    message: MessageRecord,
    actorId: number,
    deletedBy: number | null = null,
    alsoInTransaction?: (tx: Repositories) => Promise<unknown>,
  ): Promise<MessageView> {
    if (message.deletedAt !== null) return viewOne(message);
    const now = clock.now();
    const erased = { ...message, text: '', deletedAt: now, updatedAt: now, deletedBy };
    const files = (await store.media.attachmentsOf([message.id])).get(message.id) ?? [];
    await store.transaction(async (tx) => {
      await tx.messages.update(message.id, { text: '', deletedAt: now, updatedAt: now, ...(deletedBy !== null ? { deletedBy } : {}) });
      await tx.media.deleteMany(files.map((f) => f.id));
      await tx.events.deleteForMessage(message.id);
      await tx.messageExtras.deleteEdits(message.id);
      // Its text must not go out in a push still waiting.
      if (push) await tx.push.deleteForMessage(message.id);
      await alsoInTransaction?.(tx);
    });
    await media.deleteFiles(files.flatMap(blobKeysOf));
    const view = await viewOne(erased);
    await events.message('messageUpdate', view, await recipientsOf(message.chatId), actorId);
    // A thread reply's root shows one reply fewer.
    if (message.threadId !== null) await announceThread(message.threadId, actorId);
    return view;
  }

  /** The message a send replies to: of the same chat and one the author can see, else 400. */
  async function replyTarget(chatId: string, authorId: number, replyTo: string | undefined): Promise<MessageRecord | undefined> {
    if (replyTo === undefined) return undefined;
    const target = await store.messages.findByUuid(canonicalUuid(replyTo));
    if (!target || target.chatId !== chatId || !canSee(target, authorId)) {
      throw invalid([{ name: 'replyTo', reason: 'must be a message of this chat that you can see' }]);
    }
    return target;
  }

  /** Returns the author's earlier message with this localId, or 409 if it went to another chat. */
  function replay(existing: MessageRecord, chatId: string, author: Profile): Promise<MessageView> {
    if (existing.chatId !== chatId) throw new AppError('conflict', 'This localId was already used for a message in another chat.', { field: 'localId' });
    return viewOne(existing, new Map([[author.id, author]]));
  }

  return {
    /** The message `messageId` (its public UUID) of `chatId`, or 404; for routes that name a message. */
    resolve,

    /**
     * Sends a message. The same author and localId always yield the first message, never a
     * duplicate: concurrent duplicates meet the unique index, and their transaction (with its
     * seq increment) rolls back, so seqs stay gap-free.
     */
    async sendMessage(author: Profile, chatId: string, input: SendInput): Promise<MessageView> {
      checkTextSize(input.text);
      const text = input.text ?? '';
      if (text.trim() === '' && !input.attachment) throw invalid([{ name: 'text', reason: 'is required without an attachment' }]);
      const earlier = await store.messages.findByLocalId(author.id, input.localId);
      if (earlier) return replay(earlier, chatId, author);
      // The sender inside its own message carries its photos, in the answer and in the live frame.
      // The send limit is counted alongside (one limiter call, no round trip of its own in line).
      const [{ chat, member }, sender] = await Promise.all([requireMembership(store, chatId, author.id), photosOf(author), countSend(author.id)]);
      await assertMayPost(chat, member);
      const replyTo = await replyTarget(chat.id, author.id, input.replyTo);
      const thread = await threadRootOf(store, chat.id, author.id, input.threadId);
      checkReplyContext(replyTo, thread);
      const mentions = await resolveMentions(store, chat, author.id, text);
      const attachment = await prepareAttachment(sender, input.attachment);
      const now = clock.now();
      let event: ChatEvent;
      try {
        event = await sends.submit({ chat, author: sender, input, text, attachment, replyTo, thread, mentions, now });
      } catch (error) {
        if (!(error instanceof UniqueViolation)) throw error;
        const winner = await store.messages.findByLocalId(author.id, input.localId);
        if (!winner) throw error;
        return replay(winner, chatId, author);
      }
      await events.publish(event);
      push?.committed();
      // The root's summary changed: a messageUpdate of it, after the reply's own event.
      if (thread) await announceThread(thread.id, author.id);
      return event.message!;
    },

    /** Newest first: up to `count` (≤ 200) messages before the message `before`. */
    async listMessages(actor: Profile, chatId: string, count: number, before: string | undefined): Promise<MessageView[]> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      refuseBlockedMember(member, 'read the history');
      const beforeSeq = before === undefined ? null : (await resolve(chat.id, before)).seq;
      const messages = await store.messages.listBefore(chat.id, beforeSeq, Math.min(count, HISTORY_MAX));
      return buildMessageViews(store, chat.id, messages);
    },

    /** Newest first: the `count` (≤ 200) messages next after the message `after`, towards the newest (paging forwards). */
    async listMessagesAfter(actor: Profile, chatId: string, count: number, after: string): Promise<MessageView[]> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      refuseBlockedMember(member, 'read the history');
      const afterSeq = (await resolve(chat.id, after)).seq;
      const messages = await store.messages.listAfter(chat.id, afterSeq, Math.min(count, HISTORY_MAX));
      return buildMessageViews(store, chat.id, messages.reverse());
    },

    /**
     * The author erases the content; a tombstone with deletedAt stays in the history. In a group
     * the owner or an admin may delete anyone's message: the tombstone then names them
     * (`deletedBy`), the members get it as a `messageUpdate`, and the moderation log records it.
     */
    async deleteMessage(actor: Profile, chatId: string, messageId: string): Promise<MessageView> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      const message = await resolve(chat.id, messageId);
      const byModerator = message.authorId !== actor.id;
      if (byModerator && (chat.isPersonal || !isModerator(chat, member))) throw forbidden('Only the author, the chat owner or an admin may delete a message.');
      if (message.deletedAt !== null) return viewOne(message);
      // The moderation entry is written in the erase's own transaction: it exists exactly when the delete does.
      const logged = byModerator
        ? (tx: Repositories) =>
            deps.log?.record(
              {
                actorId: actor.id,
                action: 'message.moderatorDelete',
                targetType: 'message',
                targetId: message.uuid,
                chatId: chat.id,
                details: { authorId: message.authorId },
              },
              tx,
            ) ?? Promise.resolve()
        : undefined;
      const view = await erase(message, actor.id, byModerator ? actor.id : null, logged);
      return view;
    },

    /**
     * An administrator erases a message of any chat as its author's delete would (the action of
     * a resolved report); the caller checked the role and records it in the audit log.
     */
    eraseAsAdmin: (message: MessageRecord, adminId: number): Promise<MessageView> => erase(message, adminId, message.authorId === adminId ? null : adminId),

    /** The author edits text or flags; `editedAt` is set only when the text changes. */
    async editMessage(actor: Profile, chatId: string, messageId: string, input: EditInput): Promise<MessageView> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      const message = await resolve(chat.id, messageId);
      if (message.authorId !== actor.id) throw forbidden('Only the author may edit a message.');
      refuseBlockedMember(member, 'edit messages');
      if (message.deletedAt !== null) throw invalid([{ name: 'messageId', reason: 'a deleted message cannot be edited' }]);
      checkTextSize(input.text);
      if (input.text !== undefined && input.text.trim() === '') throw invalid([{ name: 'text', reason: 'must not be empty; delete the message instead' }]);
      const now = clock.now();
      const textChanged = input.text !== undefined && input.text !== message.text;
      const patch = {
        ...(textChanged ? { text: input.text!, editedAt: now } : {}),
        ...(input.isVisible !== undefined ? { isVisible: input.isVisible } : {}),
        ...(input.fileExists !== undefined ? { fileExists: input.fileExists } : {}),
        ...(input.previewExists !== undefined ? { previewExists: input.previewExists } : {}),
        updatedAt: now,
      };
      await store.transaction(async (tx) => {
        await tx.messages.update(message.id, patch);
        // The history keeps the text this edit replaces.
        if (textChanged) await tx.messageExtras.addEdit(message.id, { text: message.text, editedAt: now });
      });
      const view = await viewOne({ ...message, ...patch });
      await events.message('messageUpdate', view, await recipientsOf(chat.id), actor.id);
      return view;
    },

    /**
     * The texts a message had before each edit, newest first, each with the time the edit
     * replaced it; to members who can see the message (a deleted one has none left).
     */
    async editHistory(actor: Profile, chatId: string, messageId: string): Promise<EditRecord[]> {
      const { chat } = await requireMembership(store, chatId, actor.id);
      const message = await resolve(chat.id, messageId);
      if (message.deletedAt !== null) return [];
      if (!canSee(message, actor.id)) throw notFound('Message');
      return store.messageExtras.editsOf(message.id);
    },

    /** Messages of the caller's chats that mention them, newest first, `before` a message id. */
    async listMentions(actor: Profile, count: number, before: string | undefined): Promise<MessageView[]> {
      const from = before === undefined ? undefined : await store.messages.findByUuid(canonicalUuid(before));
      if (before !== undefined && !from) throw notFound('Message');
      const ids = await store.messageExtras.listMentioning(actor.id, from?.id ?? null, Math.min(count, HISTORY_MAX));
      const messages = (await store.messages.findByIds(ids)).filter((m) => m.deletedAt === null).sort((x, y) => y.id - x.id);
      const byChat = new Map<string, MessageRecord[]>();
      for (const m of messages) byChat.set(m.chatId, [...(byChat.get(m.chatId) ?? []), m]);
      const views = new Map<number, MessageView>();
      for (const [chatId, list] of byChat) {
        // Only chats the caller is still in.
        if (!(await store.chats.findMember(chatId, actor.id))?.isMember) continue;
        for (const view of await buildMessageViews(store, chatId, list)) views.set(view.message.id, view);
      }
      return messages.map((m) => views.get(m.id)).filter((v) => v !== undefined);
    },

    /** A device of the caller received the message: recorded once per user; its author is told. */
    async deliverMessage(actor: Profile, chatId: string, messageId: string): Promise<MessageView> {
      const { chat } = await requireMembership(store, chatId, actor.id);
      const message = await resolve(chat.id, messageId);
      const fresh = message.authorId !== actor.id && (await store.messageExtras.addDelivery(message.id, actor.id, clock.now()));
      if (fresh) await events.delivered(chat.id, message.uuid, actor.id, message.authorId);
      return viewOne(message);
    },

    /** Marks the message, and so every earlier one, read by the caller. */
    async readMessage(actor: Profile, chatId: string, messageId: string): Promise<MessageView> {
      const { chat } = await requireMembership(store, chatId, actor.id);
      const message = await resolve(chat.id, messageId);
      const advanced = await store.transaction(async (tx) => {
        const member = await tx.chats.findMember(chat.id, actor.id);
        if (!member || member.lastReadSeq >= message.seq) return false;
        await tx.messages.insertReadMark({ id: randomUUID(), chatId: chat.id, userId: actor.id, seq: message.seq, createdAt: clock.now() });
        await tx.chats.updateMember(chat.id, actor.id, { lastReadSeq: message.seq });
        return true;
      });
      const view = await viewOne(message);
      if (advanced) await events.message('messageRead', view, await recipientsOf(chat.id), actor.id);
      return view;
    },

    /** An `auxiliary` event (typing, …) to the other members; never stored. */
    async notify(
      actor: Profile,
      chatId: string,
      input: { name: string; text?: string | undefined; realm?: string | undefined; data?: unknown },
    ): Promise<void> {
      const { chat, member } = await requireMembership(store, chatId, actor.id);
      await assertMayPost(chat, member);
      const recipients = (await recipientsOf(chat.id)).filter((id) => id !== actor.id);
      const auxiliary = { name: input.name, text: input.text ?? null, realm: input.realm ?? 'webSocket', data: input.data ?? null };
      await events.auxiliary(chat.id, auxiliary, recipients, actor.id);
      if (push) await push.enqueueAuxiliary(chat.id, actor, auxiliary, recipients);
    },
  };
}
