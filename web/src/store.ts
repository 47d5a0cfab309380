/**
 * The app's state: the signed-in user, chats (with unread counts), loaded messages and who
 * is typing. Messages are kept by id, so an event seen twice (a replay after reconnect, a
 * history fetch that overlaps live events) is shown once.
 */
import type { ChatInfo, MeInfo, MessageInfo, PresenceInfo, SocketChatInfo } from '@parley/client';

export type Connection = 'connecting' | 'online' | 'offline' | 'reconnecting';

export interface State {
  me: MeInfo | undefined;
  connection: Connection;
  chats: Map<string, ChatInfo>;
  /** Loaded messages per chat, by id. */
  messages: Map<string, Map<string, MessageInfo>>;
  /** chatId → userId → when the typing hint expires (ms). */
  typing: Map<string, Map<number, number>>;
  /** The chat on screen, whose messages count as read. */
  openChatId: string | undefined;
  /** userId → how others see them (a snapshot on connect, then `presence` events). */
  presence: Map<number, PresenceInfo['status']>;
}

type Listener = () => void;

/** A tiny observable store: `update` changes state in place, then notifies. */
export class Store {
  readonly state: State = {
    me: undefined,
    connection: 'connecting',
    chats: new Map(),
    messages: new Map(),
    typing: new Map(),
    openChatId: undefined,
    presence: new Map(),
  };
  private readonly listeners = new Set<Listener>();
  private version = 0;

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A number that changes on every update (for hooks). */
  get snapshot(): number {
    return this.version;
  }

  update(change: (state: State) => void): void {
    change(this.state);
    this.version++;
    for (const listener of [...this.listeners]) listener();
  }

  /** Adds or replaces messages; keeps the chat's `lastMessage` up to date. */
  putMessages(chatId: string, list: MessageInfo[]): void {
    this.update((s) => {
      let byId = s.messages.get(chatId);
      if (!byId) s.messages.set(chatId, (byId = new Map()));
      for (const m of list) byId.set(m.id, m);
      const chat = s.chats.get(chatId);
      const newest = list.reduce<MessageInfo | undefined>((a, m) => (!a || m.seq > a.seq ? m : a), undefined);
      if (chat && newest && (!chat.lastMessage || newest.seq >= chat.lastMessage.seq)) s.chats.set(chatId, { ...chat, lastMessage: newest });
    });
  }

  /** Merges a chat from the socket (which carries no unread count) into the list. */
  putChat(chat: SocketChatInfo | ChatInfo): void {
    this.update((s) => {
      const old = s.chats.get(chat.id);
      s.chats.set(chat.id, { ...old, ...chat, unreadCount: 'unreadCount' in chat ? chat.unreadCount : (old?.unreadCount ?? 0) } as ChatInfo);
    });
  }

  removeChat(chatId: string): void {
    this.update((s) => {
      s.chats.delete(chatId);
      s.messages.delete(chatId);
    });
  }
}

/** Messages of a chat, oldest first. */
export function messagesOf(state: State, chatId: string): MessageInfo[] {
  return [...(state.messages.get(chatId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
}

/** Chats by latest activity, newest first. */
export function sortedChats(state: State): ChatInfo[] {
  const at = (c: ChatInfo) => c.lastMessage?.createdAt ?? '';
  return [...state.chats.values()].sort((a, b) => at(b).localeCompare(at(a)));
}

/** A chat's name as the caller sees it: its title, or the other person of a personal chat. */
export function chatName(chat: ChatInfo | SocketChatInfo, meId: number | undefined): string {
  if (chat.title) return chat.title;
  const others = chat.allUsers.filter((u) => u.id !== meId);
  return others.map((u) => u.name).join(', ') || 'Just you';
}
