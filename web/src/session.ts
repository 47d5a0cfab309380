/**
 * The signed-in session: the client, its socket and what socket events do to the store.
 * The token is kept in localStorage; going offline pauses the socket and coming back resumes
 * it at once, from its last cursor.
 */
import { ParleyClient, ParleyError, type Frame, type MessageInfo, type ParleySocket } from '@parley/client';
import { Store } from './store.js';

const TOKEN_KEY = 'parley.token';
const TYPING_MS = 5000;

export class Session {
  readonly store = new Store();
  readonly client: ParleyClient;
  private socket: ParleySocket | undefined;
  private readonly stop: Array<() => void> = [];
  /** The newest message id already marked read, per chat. */
  private readonly readThrough = new Map<string, number>();
  /** Users whose presence was asked for since the socket opened (events keep them current). */
  private readonly presenceAsked = new Set<number>();

  constructor(baseUrl = location.origin) {
    // Back from single sign-on (`/auth/oidc/callback` → `/app/#token=…`): keep the token, drop it from the address.
    const signedOn = /^#token=([^&]+)/.exec(location.hash)?.[1];
    if (signedOn) {
      localStorage.setItem(TOKEN_KEY, decodeURIComponent(signedOn));
      history.replaceState(null, '', location.pathname + location.search);
    }
    this.client = new ParleyClient({ baseUrl, token: localStorage.getItem(TOKEN_KEY) ?? undefined });
    // People who appear later (a new chat, added members) get their presence asked for too.
    this.store.subscribe(() => {
      if (this.store.state.connection === 'online') void this.loadPresence(false).catch(() => undefined);
    });
  }

  get signedIn(): boolean {
    return this.client.token !== undefined;
  }

  /** After register or login: keep the token and start. */
  async begin(): Promise<void> {
    if (this.client.token) localStorage.setItem(TOKEN_KEY, this.client.token);
    try {
      const me = await this.client.me();
      this.store.update((s) => (s.me = me));
    } catch (error) {
      if (error instanceof ParleyError && error.status === 401) return this.forget();
      throw error;
    }
    this.connect();
    await this.reloadChats();
  }

  async logout(): Promise<void> {
    await this.client.logout().catch(() => undefined);
    this.forget();
  }

  private forget(): void {
    localStorage.removeItem(TOKEN_KEY);
    this.client.token = undefined;
    this.socket?.close();
    for (const off of this.stop.splice(0)) off();
    this.store.update((s) => {
      s.me = undefined;
      s.chats.clear();
      s.messages.clear();
      s.presence.clear();
    });
  }

  async reloadChats(): Promise<void> {
    const chats = await this.client.listChats();
    this.store.update((s) => {
      s.chats.clear();
      for (const c of chats) s.chats.set(c.id, c);
    });
  }

  /**
   * The presence of everyone in the caller's chats: presence events are not replayed, so a
   * snapshot is taken when the socket opens (again after a reconnect) and events apply on top.
   */
  async loadPresence(all = true): Promise<void> {
    const meId = this.store.state.me?.id;
    if (all) this.presenceAsked.clear();
    const ids = [...new Set([...this.store.state.chats.values()].flatMap((c) => c.allUsers.map((u) => u.id)))].filter(
      (id) => id !== meId && !this.presenceAsked.has(id),
    );
    for (const id of ids) this.presenceAsked.add(id);
    for (let i = 0; i < ids.length; i += 200) {
      const seen = await this.client.presenceOf(ids.slice(i, i + 200));
      this.store.update((s) => {
        for (const p of seen) s.presence.set(p.userId, p.status);
      });
    }
  }

  /** Adds the caller's `emoji` to a message, or takes it back when it is theirs already. */
  async toggleReaction(message: MessageInfo, emoji: string): Promise<void> {
    const mine = message.reactions.some((r) => r.emoji === emoji && r.me);
    const c = this.client;
    const updated = await (mine ? c.removeReaction(message.chatId, message.id, emoji) : c.addReaction(message.chatId, message.id, emoji));
    this.store.putMessages(updated.chatId, [updated]);
  }

  /** Pins a message, or unpins it when it is pinned. */
  async togglePin(chatId: string, messageId: string): Promise<void> {
    const pinned = this.store.state.chats.get(chatId)?.pinned ?? [];
    const chat = await (pinned.includes(messageId) ? this.client.unpin(chatId, messageId) : this.client.pin(chatId, messageId));
    this.store.putChat(chat);
  }

  /** Loads the newest page of a chat's history. */
  async loadHistory(chatId: string): Promise<void> {
    this.store.putMessages(chatId, await this.client.history(chatId, { count: 50 }));
  }

  /** Marks the chat read up to its newest message (once per message), and its unread count 0. */
  async markRead(chatId: string): Promise<void> {
    const chat = this.store.state.chats.get(chatId);
    const last = chat?.lastMessage;
    if (!chat) return;
    if (chat.unreadCount !== 0) this.store.update((s) => s.chats.set(chatId, { ...chat, unreadCount: 0 }));
    if (!last || last.author.id === this.store.state.me?.id || (this.readThrough.get(chatId) ?? 0) >= last.seq) return;
    this.readThrough.set(chatId, last.seq);
    this.store.putMessages(chatId, [await this.client.readMessage(chatId, last.id)]);
  }

  private connect(): void {
    const socket = (this.socket = this.client.socket());
    const set = (c: 'online' | 'offline' | 'reconnecting') => this.store.update((s) => (s.connection = c));
    socket.on('open', () => {
      set('online');
      void this.loadPresence().catch(() => undefined);
    });
    socket.on('presence', (p) => this.store.update((s) => s.presence.set(p.userId, p.status)));
    socket.on('close', (e) => {
      set(navigator.onLine ? 'reconnecting' : 'offline');
      // 4001: the session was revoked (logout elsewhere, password change): sign in again.
      if (e.code === 4001) this.forget();
    });
    socket.on('message', (m) => this.onMessage(m));
    socket.on('messageUpdate', (m) => this.store.putMessages(m.chatId, [m]));
    socket.on('messageRead', (m) => this.store.putMessages(m.chatId, [m]));
    for (const name of ['chatUpdate', 'addedUsers', 'removedUsers'] as const) {
      socket.on(name, (chat) => {
        const meId = this.store.state.me?.id;
        if (chat.allUsers.length > 0 && !chat.allUsers.some((u) => u.id === meId)) this.store.removeChat(chat.id);
        else this.store.putChat(chat);
      });
    }
    socket.on('chatDeleted', ({ chatId }) => this.store.removeChat(chatId));
    socket.on('chatCleared', ({ chatId }) => this.store.update((s) => s.messages.delete(chatId)));
    socket.on('frame', (frame) => this.onAuxiliary(frame));
    socket.on('resync', () => void this.reloadChats());
    // Offline: stop trying; back online: reconnect now, resuming from the cursor.
    const offline = () => {
      socket.pause();
      set('offline');
    };
    const online = () => socket.resume();
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    this.stop.push(
      () => window.removeEventListener('offline', offline),
      () => window.removeEventListener('online', online),
    );
  }

  private onMessage(message: MessageInfo): void {
    const { state } = this.store;
    const chat = state.chats.get(message.chatId);
    if (!chat) {
      void this.client.getChat(message.chatId).then((c) => this.store.putChat(c));
      return;
    }
    const seen = state.messages.get(message.chatId)?.has(message.id) ?? false;
    this.store.putMessages(message.chatId, [message]);
    this.clearTyping(message.chatId, message.author.id);
    if (seen || message.author.id === state.me?.id) return;
    if (state.openChatId === message.chatId && document.visibilityState !== 'hidden') void this.markRead(message.chatId);
    else this.store.update((s) => s.chats.set(chat.id, { ...s.chats.get(chat.id)!, unreadCount: (s.chats.get(chat.id)?.unreadCount ?? 0) + 1 }));
  }

  private onAuxiliary(frame: Frame): void {
    if (frame.event !== 'auxiliary') return;
    const { chatId, name } = frame.payload as { chatId: string; name: string };
    const userId = Number(frame.source);
    if (name === 'typing_started') {
      this.store.update((s) => {
        let users = s.typing.get(chatId);
        if (!users) s.typing.set(chatId, (users = new Map()));
        users.set(userId, Date.now() + TYPING_MS);
      });
      setTimeout(() => this.store.update(() => undefined), TYPING_MS + 50);
    } else if (name === 'typing_stopped') this.clearTyping(chatId, userId);
  }

  private clearTyping(chatId: string, userId: number): void {
    if (this.store.state.typing.get(chatId)?.delete(userId)) this.store.update(() => undefined);
  }
}

/** Who is typing in `chatId` right now. */
export function typingIn(session: Session, chatId: string): number[] {
  const now = Date.now();
  return [...(session.store.state.typing.get(chatId)?.entries() ?? [])].filter(([, until]) => until > now).map(([id]) => id);
}
