/** Chats, messages, notifications and contacts (the native CHATS and CONTACTS API). */
import { ClientCore, seg, type Ok } from './core.js';
import type * as T from './types.js';

/** A fresh `localId` for an idempotent send. */
export const newLocalId = (): string =>
  (globalThis as { crypto?: { randomUUID?: () => string } }).crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/** The chat and contact routes of `ParleyClient`. */
export class ChatsApi extends ClientCore {
  /** `POST /chats`: a personal chat (one participant) or a group. */
  createChat(body: T.CreateChatBody): Promise<T.ChatInfo> {
    return this.request('/chats', { body });
  }
  /** `GET /chats?full=1`: the caller's chats, newest activity first, with `unreadCount`. */
  listChats(options: { full?: boolean } = {}): Promise<T.ChatInfo[]> {
    return this.request('/chats', { query: { full: options.full === false ? undefined : 1 } });
  }
  /** `GET /chats/<id>`. */
  getChat(chatId: string): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}`);
  }
  /**
   * `GET /search/messages`: one page of the caller's messages matching `q` (words, `prefix*`,
   * `"phrases"`, `-exclusions`); pass the page's `nextCursor` back as `cursor` for the next.
   */
  searchMessages(query: T.MessageSearchQuery): Promise<T.MessageSearchPage> {
    return this.request('/search/messages', { query });
  }
  /** `GET /search/chats?q=`: the caller's chats whose title or members' names match. */
  searchChats(q: string): Promise<T.ChatInfo[]> {
    return this.request('/search/chats', { query: { q } });
  }
  /** `PUT /chats/<id> {title}` (groups). */
  renameChat(chatId: string, title: string): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}`, { method: 'PUT', body: { title } });
  }
  /** `PUT /chats/<id>/settings`. */
  updateChatSettings(chatId: string, body: T.ChatSettingsBody): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}/settings`, { method: 'PUT', body });
  }
  /** `POST /chats/<id>/users` (≤ 10 a call). */
  addChatUsers(chatId: string, users: number[]): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}/users`, { body: { users } });
  }
  /** `DELETE /chats/<id>/users` (owner or admin). */
  removeChatUsers(chatId: string, users: number[]): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}/users`, { method: 'DELETE', body: { users } });
  }
  /** `DELETE /chats/<id>/me`: leave a group. */
  async leaveChat(chatId: string): Promise<void> {
    await this.request<Ok>(`/chats/${seg(chatId)}/me`, { method: 'DELETE' });
  }
  /** `DELETE /chats/<id>` (owner). */
  async deleteChat(chatId: string): Promise<void> {
    await this.request<Ok>(`/chats/${seg(chatId)}`, { method: 'DELETE' });
  }

  /**
   * `POST /chats/<id>/messages`. A `localId` is made when none is given; sending again with
   * the same one returns the first message, so a retry never duplicates.
   */
  sendMessage(chatId: string, body: Omit<T.SendMessageBody, 'localId'> & { localId?: string }): Promise<T.MessageInfo> {
    return this.request(`/chats/${seg(chatId)}/messages`, { body: { ...body, localId: body.localId ?? newLocalId() } });
  }
  /** `GET /chats/<id>/messages?count&before`: newest first. */
  history(chatId: string, query: T.HistoryQuery = {}): Promise<T.MessageInfo[]> {
    return this.request(`/chats/${seg(chatId)}/messages`, { query });
  }
  /** `PUT /chats/<id>/messages/<id>/read`: marks it and every earlier message read. */
  readMessage(chatId: string, messageId: string): Promise<T.MessageInfo> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(messageId)}/read`, { method: 'PUT' });
  }
  /** `PUT /chats/<id>/messages/<id>` (author). */
  editMessage(chatId: string, messageId: string, body: T.EditMessageBody): Promise<T.MessageInfo> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(messageId)}`, { method: 'PUT', body });
  }
  /** `DELETE /chats/<id>/messages/<id>` (author): a tombstone with `deletedAt`. */
  deleteMessage(chatId: string, messageId: string): Promise<T.MessageInfo> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(messageId)}`, { method: 'DELETE' });
  }
  /** `PUT /chats/<id>/messages/<id>/reactions/<emoji>`: adds the caller's reaction (idempotent). */
  addReaction(chatId: string, messageId: string, emoji: string): Promise<T.MessageInfo> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(messageId)}/reactions/${seg(emoji)}`, { method: 'PUT' });
  }
  /** `DELETE /chats/<id>/messages/<id>/reactions/<emoji>`: removes it (idempotent). */
  removeReaction(chatId: string, messageId: string, emoji: string): Promise<T.MessageInfo> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(messageId)}/reactions/${seg(emoji)}`, { method: 'DELETE' });
  }
  /** `PUT /chats/<id>/messages/<id>/delivered`: a device of the caller received it (the author gets `messageDelivered`). */
  markDelivered(chatId: string, messageId: string): Promise<T.MessageInfo> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(messageId)}/delivered`, { method: 'PUT' });
  }
  /** `GET /chats/<id>/messages/<id>/history`: the texts before each edit, newest first. */
  editHistory(chatId: string, messageId: string): Promise<T.EditEntry[]> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(messageId)}/history`);
  }
  /**
   * `GET /chats/<id>/messages/<rootId>/thread?count&before`: the replies in a message's thread,
   * newest first (as `history`); reply with `sendMessage(chatId, {text, threadId: rootId})`.
   */
  thread(chatId: string, rootId: string, query: T.HistoryQuery = {}): Promise<T.MessageInfo[]> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(rootId)}/thread`, { query });
  }
  /** `GET /chats/<id>/pins`: the pinned messages, oldest pin first. */
  pins(chatId: string): Promise<T.MessageInfo[]> {
    return this.request(`/chats/${seg(chatId)}/pins`);
  }
  /** `PUT /chats/<id>/pins/<messageId>` (members; the owner or an admin in groups). */
  pin(chatId: string, messageId: string): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}/pins/${seg(messageId)}`, { method: 'PUT' });
  }
  /** `DELETE /chats/<id>/pins/<messageId>`. */
  unpin(chatId: string, messageId: string): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}/pins/${seg(messageId)}`, { method: 'DELETE' });
  }
  /** `PUT /chats/<id>/users/<userId>/role` (owner only): `owner` hands the group over, the old owner becoming an admin. */
  setRole(chatId: string, userId: number, role: T.ChatRole): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}/users/${seg(userId)}/role`, { method: 'PUT', body: { role } });
  }
  /** `PUT /chats/<id>/bans/<userId>` (owner or admin): removes the user and keeps them out until unbanned. */
  ban(chatId: string, userId: number): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}/bans/${seg(userId)}`, { method: 'PUT' });
  }
  /** `DELETE /chats/<id>/bans/<userId>`: they may be added again. */
  async unban(chatId: string, userId: number): Promise<void> {
    await this.request<Ok>(`/chats/${seg(chatId)}/bans/${seg(userId)}`, { method: 'DELETE' });
  }
  /** `GET /chats/<id>/bans` (owner or admin), newest first. */
  bans(chatId: string): Promise<T.BanInfo[]> {
    return this.request(`/chats/${seg(chatId)}/bans`);
  }
  /** `POST /chats/<id>/notify`: an `auxiliary` event (e.g. `typing_started`), never stored. */
  async notify(chatId: string, body: T.NotifyBody): Promise<void> {
    await this.request<Ok>(`/chats/${seg(chatId)}/notify`, { body });
  }

  /** `POST /users/me/contacts`. */
  addContact(userId: number, options: { name?: string; isFavorite?: boolean } = {}): Promise<T.ContactInfo> {
    return this.request('/users/me/contacts', { body: { ...options, user: { id: userId } } });
  }
  /** `GET /users/me/contacts`. */
  listContacts(): Promise<T.ContactInfo[]> {
    return this.request('/users/me/contacts');
  }
  /** `DELETE /users/me/contacts/<id>`. */
  async deleteContact(contactId: string): Promise<void> {
    await this.request<Ok>(`/users/me/contacts/${seg(contactId)}`, { method: 'DELETE' });
  }
}
