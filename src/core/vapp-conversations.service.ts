/**
 * The V-app's conversations (issue 18): what the original backend served at
 * `/conversations` (its `data/conversations.js`), mapped over Parley's chats. A conversation
 * is a chat the caller is a member of; its `users` are the other current members, its name
 * their display names joined with ", ", its events the chat's messages.
 *
 * A conversation's id is its id at the Vonage Conversation API once created there (only with
 * a Vonage application configured: the V-app web client opens it with Vonage's Client SDK),
 * else `CON-<chat id>`. Creating one with Vonage configured makes the conversation and its
 * joined members there first and the chat after, so a Vonage failure leaves nothing here.
 */
import { AppError, invalid, notFound } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { MessageView } from '../ports/events.js';
import type { ChatRecord, Store, UserRecord } from '../ports/store.js';
import type { ConversationUsers } from '../ports/vonage.js';
import { refuseIfBlockedBy } from './blocks.service.js';
import type { ChatsService } from './chats.service.js';
import { fileNameOf } from './media-names.js';
import type { MessagesService } from './messages.service.js';
import { profileOf } from './profiles.js';
import { vappIdOf, type VappService, type VappUser } from './vapp.service.js';

/** A conversation's events list at most this many messages (the newest, oldest first). */
export const CONVERSATION_EVENTS_MAX = 200;
/** `POST /conversations` names at most this many users. */
export const CONVERSATION_USERS_MAX = 100;

const LOCAL_PREFIX = 'CON-';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A message as the original's events table held it (`message.text` / `message.image`). */
export interface ConversationEvent {
  /** The message's seq: Vonage's event ids are integers increasing within a conversation. */
  id: number;
  /** The author's V-app id. */
  from: string;
  type: 'message.text' | 'message.image';
  /** The text, or the image's absolute URL. */
  content: string;
  timestamp: number;
}

export interface ConversationView {
  id: string;
  chat: ChatRecord;
  /** The other current members. */
  users: VappUser[];
  /** When the caller joined. */
  joinedAt: number;
  /** Only for a single conversation (`GET /conversations/<id>`, the creation's answer). */
  events?: ConversationEvent[];
}

export type VappConversationsService = ReturnType<typeof createVappConversationsService>;

export function createVappConversationsService(deps: {
  store: Store;
  chats: ChatsService;
  messages: MessagesService;
  vapp: VappService;
  vonage?: ConversationUsers | undefined;
  clock: Clock;
  publicUrl: string;
}) {
  const { store, chats, messages, vapp, vonage, clock, publicUrl } = deps;

  /** The chat a conversation id names, if any (membership is checked by the chats service). */
  async function chatIdOf(conversationId: string): Promise<string | undefined> {
    const linked = await store.vapp.findChatIdByConversation(conversationId);
    if (linked) return linked;
    const local = conversationId.startsWith(LOCAL_PREFIX) ? conversationId.slice(LOCAL_PREFIX.length) : '';
    return UUID.test(local) ? local.toLowerCase() : undefined;
  }

  function eventOf(view: MessageView, authors: Map<number, UserRecord>): ConversationEvent | undefined {
    const { message } = view;
    if (message.deletedAt !== null) return undefined;
    const author = authors.get(message.authorId);
    const from = author ? vappIdOf(author) : `USR-${view.author.uid}`;
    const image = view.attachments.find((a) => ['png', 'jpeg', 'jpg', 'gif', 'webp'].includes(a.fileType));
    if (image && message.text === '') {
      return { id: message.seq, from, type: 'message.image', content: `${publicUrl}/uploads/${fileNameOf(image)}`, timestamp: message.createdAt };
    }
    return { id: message.seq, from, type: 'message.text', content: message.text, timestamp: message.createdAt };
  }

  /** The views of `rows` as `caller` sees them (one query per kind, not per chat). */
  async function build(caller: UserRecord, rows: ChatRecord[], withEvents: boolean): Promise<ConversationView[]> {
    if (rows.length === 0) return [];
    const profile = profileOf(caller);
    const memberLists = await Promise.all(rows.map((chat) => store.chats.listMembers(chat.id, true)));
    const linked = await store.vapp.conversationsOf(rows.map((c) => c.id));
    const ids = new Set(memberLists.flat().map((m) => m.userId));
    const history = withEvents ? await Promise.all(rows.map((chat) => messages.listMessages(profile, chat.id, CONVERSATION_EVENTS_MAX, undefined))) : [];
    for (const page of history) for (const view of page) ids.add(view.message.authorId);
    const records = new Map((await store.users.findByIds([...ids])).map((u) => [u.id, u]));
    const presented = new Map((await vapp.present([...records.values()].filter((u) => u.id !== caller.id))).map((v) => [v.user.id, v]));
    return rows.map((chat, index) => {
      const members = memberLists[index]!;
      const users = members.map((m) => presented.get(m.userId)).filter((v): v is VappUser => v !== undefined);
      const view: ConversationView = {
        id: linked.get(chat.id) ?? `${LOCAL_PREFIX}${chat.id}`,
        chat,
        users,
        joinedAt: members.find((m) => m.userId === caller.id)?.addedAt ?? chat.createdAt,
      };
      if (withEvents) {
        const page = [...history[index]!].reverse();
        view.events = page.map((v) => eventOf(v, records)).filter((e): e is ConversationEvent => e !== undefined);
      }
      return view;
    });
  }

  /** The users `ids` name (V-app ids: a Vonage id or `USR-<uid>`), in the order given. */
  async function resolveUsers(ids: string[]): Promise<UserRecord[]> {
    const wanted = [...new Set(ids)];
    const found = await store.vapp.findUsers({
      uids: wanted.map((id) => (id.startsWith('USR-') ? id.slice(4) : '')).filter((uid) => UUID.test(uid)),
      vonageUserIds: wanted,
    });
    const byVappId = new Map(found.filter((u) => u.disabledAt === null).map((u) => [vappIdOf(u), u]));
    const unknown = wanted.filter((id) => !byVappId.has(id));
    if (unknown.length > 0) throw invalid([{ name: 'users', reason: `unknown user ids: ${unknown.slice(0, 10).join(', ')}` }]);
    return wanted.map((id) => byVappId.get(id)!);
  }

  /** Creates the conversation at Vonage with every member joined; answers its id. */
  async function createAtVonage(api: ConversationUsers, members: UserRecord[]): Promise<string> {
    const provisioned: UserRecord[] = [];
    for (const member of members) provisioned.push(await vapp.ensureProvisioned(member));
    return vapp.withVonage(async () => {
      const conversationId = await api.createConversation();
      for (const member of provisioned) await api.addMember(conversationId, member.vonageUserId!);
      return conversationId;
    });
  }

  /** `GET /conversations/<id>`: one conversation of the caller's, with its messages; 404 otherwise. */
  async function get(caller: UserRecord, conversationId: string): Promise<ConversationView> {
    const chatId = await chatIdOf(conversationId);
    if (!chatId) throw notFound('Conversation');
    try {
      const view = await chats.getChat(profileOf(caller), chatId);
      return (await build(caller, [view.chat], true))[0]!;
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') throw notFound('Conversation');
      throw error;
    }
  }

  return {
    /** `GET /conversations`: the caller's chats with other people (rooms have no members, so none), newest activity first. */
    async list(caller: UserRecord): Promise<ConversationView[]> {
      const rows = await store.chats.listForUser(caller.id);
      return build(
        caller,
        rows.map((r) => r.chat),
        false,
      );
    },

    get,

    /**
     * `POST /conversations {users}`: a chat of the caller with those users (one other: their
     * personal chat, reused when it exists), created at Vonage too when configured.
     */
    async create(caller: UserRecord, userIds: string[]): Promise<ConversationView> {
      if (userIds.length > CONVERSATION_USERS_MAX) throw invalid([{ name: 'users', reason: `at most ${CONVERSATION_USERS_MAX} users` }]);
      const others = (await resolveUsers(userIds)).filter((u) => u.id !== caller.id);
      if (others.length === 0) throw invalid([{ name: 'users', reason: 'must name at least one other user' }]);
      const profile = profileOf(caller);
      const participants = others.map((u) => u.id);
      // Before anything is made at Vonage, and before a linked pair is answered as it is.
      await refuseIfBlockedBy(store, caller.id, participants);
      if (vonage) {
        // A pair's chat that is already at Vonage is answered as it is.
        const pair =
          others.length === 1 ? await store.chats.findByPersonalKey(`${Math.min(caller.id, others[0]!.id)}:${Math.max(caller.id, others[0]!.id)}`) : undefined;
        const linked = pair && (await store.vapp.conversationsOf([pair.id])).get(pair.id);
        if (pair && linked) return get(caller, linked);
        const conversationId = await createAtVonage(vonage, [caller, ...others]);
        const view = await chats.createChat(profile, { participants });
        await store.vapp.linkConversation(view.chat.id, conversationId, clock.now());
        const current = (await store.vapp.conversationsOf([view.chat.id])).get(view.chat.id) ?? conversationId;
        return get(caller, current);
      }
      const view = await chats.createChat(profile, { participants });
      return get(caller, `${LOCAL_PREFIX}${view.chat.id}`);
    },
  };
}
