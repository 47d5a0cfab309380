/** Chats, messages, notifications and contacts (the native CHATS and CONTACTS API). */
import { ClientCore, seg, type Ok } from './core.js';
import type { Answer, BodyOf } from './types.js';
import type * as T from './types.js';

/** A fresh `localId` for an idempotent send. */
export const newLocalId = (): string =>
  (globalThis as { crypto?: { randomUUID?: () => string } }).crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/** The chat and contact routes of `ParleyClient`. */
export class ChatsApi extends ClientCore {
  /**
   * `POST /chats`: a personal chat (one participant) or a group.
   * @operation postChats
   */
  createChat(body: T.CreateChatBody): Promise<T.ChatInfo> {
    return this.request('/chats', { body });
  }
  /**
   * `GET /chats?full=1`: the caller's chats, newest activity first, with `unreadCount`.
   * @operation getChats
   */
  listChats(options: { full?: boolean } = {}): Promise<T.ChatInfo[]> {
    return this.request('/chats', { query: { full: options.full === false ? undefined : 1 } });
  }
  /**
   * `GET /chats/<id>`.
   * @operation getChatsById
   */
  getChat(chatId: string): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}`);
  }
  /**
   * `GET /search/messages`: one page of the caller's messages matching `q` (words, `prefix*`,
   * `"phrases"`, `-exclusions`); pass the page's `nextCursor` back as `cursor` for the next.
   * @operation getSearchMessages
   */
  searchMessages(query: T.MessageSearchQuery): Promise<T.MessageSearchPage> {
    return this.request('/search/messages', { query });
  }
  /**
   * `GET /search/chats?q=`: the caller's chats whose title or members' names match.
   * @operation getSearchChats
   */
  searchChats(q: string): Promise<T.ChatInfo[]> {
    return this.request('/search/chats', { query: { q } });
  }
  /**
   * `PUT /chats/<id> {title}` (groups).
   * @operation putChatsById
   */
  renameChat(chatId: string, title: string): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}`, { method: 'PUT', body: { title } });
  }
  /**
   * `PUT /chats/<id>/settings`.
   * @operation putChatsByIdSettings
   */
  updateChatSettings(chatId: string, body: T.ChatSettingsBody): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}/settings`, { method: 'PUT', body });
  }
  /**
   * `POST /chats/<id>/users` (≤ 10 a call).
   * @operation postChatsByIdUsers
   */
  addChatUsers(chatId: string, users: number[]): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}/users`, { body: { users } });
  }
  /**
   * `DELETE /chats/<id>/users` (owner or admin).
   * @operation deleteChatsByIdUsers
   */
  removeChatUsers(chatId: string, users: number[]): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}/users`, { method: 'DELETE', body: { users } });
  }
  /**
   * `DELETE /chats/<id>/me`: leave a group.
   * @operation deleteChatsByIdMe
   */
  async leaveChat(chatId: string): Promise<void> {
    await this.request<Ok>(`/chats/${seg(chatId)}/me`, { method: 'DELETE' });
  }
  /**
   * `DELETE /chats/<id>` (owner).
   * @operation deleteChatsById
   */
  async deleteChat(chatId: string): Promise<void> {
    await this.request<Ok>(`/chats/${seg(chatId)}`, { method: 'DELETE' });
  }

  /**
   * `POST /chats/<id>/messages`. A `localId` is made when none is given; sending again with
   * the same one returns the first message, so a retry never duplicates.
   * @operation postChatsByIdMessages
   */
  sendMessage(chatId: string, body: Omit<T.SendMessageBody, 'localId'> & { localId?: string }): Promise<T.MessageInfo> {
    return this.request(`/chats/${seg(chatId)}/messages`, { body: { ...body, localId: body.localId ?? newLocalId() } });
  }
  /**
   * `GET /chats/<id>/messages?count&before|after`: newest first (see `historyPages`).
   * @operation getChatsByIdMessages
   */
  history(chatId: string, query: T.HistoryQuery = {}): Promise<T.MessageInfo[]> {
    return this.request(`/chats/${seg(chatId)}/messages`, { query });
  }
  /**
   * `PUT /chats/<id>/messages/<id>/read`: marks it and every earlier message read.
   * @operation putChatsByIdMessagesByMessageIdRead
   */
  readMessage(chatId: string, messageId: string): Promise<T.MessageInfo> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(messageId)}/read`, { method: 'PUT' });
  }
  /**
   * `PUT /chats/<id>/messages/<id>` (author).
   * @operation putChatsByIdMessagesByMessageId
   */
  editMessage(chatId: string, messageId: string, body: T.EditMessageBody): Promise<T.MessageInfo> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(messageId)}`, { method: 'PUT', body });
  }
  /**
   * `DELETE /chats/<id>/messages/<id>` (author): a tombstone with `deletedAt`.
   * @operation deleteChatsByIdMessagesByMessageId
   */
  deleteMessage(chatId: string, messageId: string): Promise<T.MessageInfo> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(messageId)}`, { method: 'DELETE' });
  }
  /**
   * `PUT /chats/<id>/messages/<id>/reactions/<emoji>`: adds the caller's reaction (idempotent).
   * @operation putChatsByIdMessagesByMessageIdReactionsByEmoji
   */
  addReaction(chatId: string, messageId: string, emoji: string): Promise<T.MessageInfo> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(messageId)}/reactions/${seg(emoji)}`, { method: 'PUT' });
  }
  /**
   * `DELETE /chats/<id>/messages/<id>/reactions/<emoji>`: removes it (idempotent).
   * @operation deleteChatsByIdMessagesByMessageIdReactionsByEmoji
   */
  removeReaction(chatId: string, messageId: string, emoji: string): Promise<T.MessageInfo> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(messageId)}/reactions/${seg(emoji)}`, { method: 'DELETE' });
  }
  /**
   * `PUT /chats/<id>/messages/<id>/delivered`: a device of the caller received it (the author gets `messageDelivered`).
   * @operation putChatsByIdMessagesByMessageIdDelivered
   */
  markDelivered(chatId: string, messageId: string): Promise<T.MessageInfo> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(messageId)}/delivered`, { method: 'PUT' });
  }
  /**
   * `GET /chats/<id>/messages/<id>/history`: the texts before each edit, newest first.
   * @operation getChatsByIdMessagesByMessageIdHistory
   */
  editHistory(chatId: string, messageId: string): Promise<T.EditEntry[]> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(messageId)}/history`);
  }
  /**
   * `GET /chats/<id>/messages/<rootId>/thread?count&before|cursor`: the replies in a message's
   * thread, newest first (as `history`; `threadPages` pages it); reply with
   * `sendMessage(chatId, {text, threadId: rootId})`.
   * @operation getChatsByIdMessagesByMessageIdThread
   */
  thread(chatId: string, rootId: string, query: T.HistoryQuery = {}): Promise<T.MessageInfo[]> {
    return this.request(`/chats/${seg(chatId)}/messages/${seg(rootId)}/thread`, { query });
  }
  /**
   * `GET /chats/<id>/pins`: the pinned messages, oldest pin first.
   * @operation getChatsByIdPins
   */
  pins(chatId: string): Promise<T.MessageInfo[]> {
    return this.request(`/chats/${seg(chatId)}/pins`);
  }
  /**
   * `PUT /chats/<id>/pins/<messageId>` (members; the owner or an admin in groups).
   * @operation putChatsByIdPinsByMessageId
   */
  pin(chatId: string, messageId: string): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}/pins/${seg(messageId)}`, { method: 'PUT' });
  }
  /**
   * `DELETE /chats/<id>/pins/<messageId>`.
   * @operation deleteChatsByIdPinsByMessageId
   */
  unpin(chatId: string, messageId: string): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}/pins/${seg(messageId)}`, { method: 'DELETE' });
  }
  /**
   * `POST /chats/<id>/notify`: an `auxiliary` event (e.g. `typing_started`), never stored.
   * @operation postChatsByIdNotify
   */
  async notify(chatId: string, body: T.NotifyBody): Promise<void> {
    await this.request<Ok>(`/chats/${seg(chatId)}/notify`, { body });
  }

  /**
   * `DELETE /chats/<id>/messages`: clears the history for everyone.
   * @operation deleteChatsByIdMessages
   */
  async clearHistory(chatId: string): Promise<void> {
    await this.request<Ok>(`/chats/${seg(chatId)}/messages`, { method: 'DELETE' });
  }
  /**
   * `POST /chats/<id>/images`: an image the caller uploaded becomes one of a group's images.
   * @operation postChatsByIdImages
   */
  addChatImage(chatId: string, image: BodyOf<'/chats/{id}/images', 'post'>['image']): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}/images`, { body: { image } });
  }
  /**
   * `DELETE /chats/<id>/images/<imageId>` (its uploader or the owner).
   * @operation deleteChatsByIdImagesByImageId
   */
  removeChatImage(chatId: string, imageId: string): Promise<Answer<'/chats/{id}/images/{imageId}', 'delete'>> {
    return this.request(`/chats/${seg(chatId)}/images/${seg(imageId)}`, { method: 'DELETE' });
  }
  /**
   * `PUT /chats/<id>/block` (or `/unblock` with `blocked: false`): the caller blocks the chat (leaving a group, refusing re-adding).
   * @operation putChatsByIdBlock
   * @operation putChatsByIdUnblock
   */
  blockChat(chatId: string, blocked = true): Promise<Answer<'/chats/{id}/block', 'put'>> {
    return this.request(`/chats/${seg(chatId)}/${blocked ? 'block' : 'unblock'}`, { method: 'PUT' });
  }
  /**
   * `PUT /chats/<id>/users/<userId>/block` (or `/unblock`): the owner stops a member posting, or lets them again.
   * @operation putChatsByIdUsersByUserIdBlock
   * @operation putChatsByIdUsersByUserIdUnblock
   */
  blockMember(chatId: string, userId: number, blocked = true): Promise<Answer<'/chats/{id}/users/{userId}/block', 'put'>> {
    return this.request(`/chats/${seg(chatId)}/users/${seg(userId)}/${blocked ? 'block' : 'unblock'}`, { method: 'PUT' });
  }
  /**
   * `GET /chats/<id>/users/blocked`: the members blocked from posting.
   * @operation getChatsByIdUsersBlocked
   */
  blockedMembers(chatId: string): Promise<T.UserInfo[]> {
    return this.request(`/chats/${seg(chatId)}/users/blocked`);
  }
  /**
   * `GET /users/me/mentions?count&before`: messages that mention the caller, newest first.
   * @operation getUsersMeMentions
   */
  mentions(query: T.HistoryQuery = {}): Promise<T.MessageInfo[]> {
    return this.request('/users/me/mentions', { query });
  }

  /**
   * `PUT /users/me/blocks/<id>`: the user can no longer open a personal chat with the caller, add them, or write to them.
   * @operation putUsersMeBlocksById
   */
  async blockUser(userId: number): Promise<void> {
    await this.request<Ok>(`/users/me/blocks/${seg(userId)}`, { method: 'PUT' });
  }
  /**
   * `DELETE /users/me/blocks/<id>`: lifts the block.
   * @operation deleteUsersMeBlocksById
   */
  async unblockUser(userId: number): Promise<void> {
    await this.request<Ok>(`/users/me/blocks/${seg(userId)}`, { method: 'DELETE' });
  }
  /**
   * `GET /users/me/blocks`: the users the caller blocked, newest block first (whole; `blockedUserPages` pages it).
   * @operation getUsersMeBlocks
   */
  blockedUsers(): Promise<T.UserInfo[]> {
    return this.request('/users/me/blocks');
  }
  /** `GET /users/me/blocks?limit` page by page. */
  blockedUserPages(limit = 50): AsyncGenerator<T.UserInfo[]> {
    return this.pages('/users/me/blocks', { query: { limit } });
  }
  /**
   * `PUT /chats/<id>/users/<userId>/role {role}` (owner only): `owner` hands the group over, the old owner becoming an admin.
   * @operation putChatsByIdUsersByUserIdRole
   */
  setRole(chatId: string, userId: number, role: T.ChatRole): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}/users/${seg(userId)}/role`, { method: 'PUT', body: { role } });
  }
  /**
   * `PUT /chats/<id>/bans/<userId>`: bans a user from a group (owner or admin).
   * @operation putChatsByIdBansByUserId
   */
  ban(chatId: string, userId: number): Promise<T.ChatInfo> {
    return this.request(`/chats/${seg(chatId)}/bans/${seg(userId)}`, { method: 'PUT' });
  }
  /**
   * `DELETE /chats/<id>/bans/<userId>`: lifts a ban (the user is not re-added).
   * @operation deleteChatsByIdBansByUserId
   */
  async unban(chatId: string, userId: number): Promise<void> {
    await this.request<Ok>(`/chats/${seg(chatId)}/bans/${seg(userId)}`, { method: 'DELETE' });
  }
  /**
   * `GET /chats/<id>/bans`: the group's bans, newest first (whole; `banPages` pages it).
   * @operation getChatsByIdBans
   */
  bans(chatId: string): Promise<T.BanInfo[]> {
    return this.request(`/chats/${seg(chatId)}/bans`);
  }
  /** `GET /chats/<id>/bans?limit` page by page. */
  banPages(chatId: string, limit = 50): AsyncGenerator<T.BanInfo[]> {
    return this.pages(`/chats/${seg(chatId)}/bans`, { query: { limit } });
  }
  /**
   * `GET /chats/<id>/retention`: the chat's own retention in days (`retentionDays`, null: the
   * server's) and what applies (`effectiveDays`, null: kept forever).
   * @operation getChatsByIdRetention
   */
  chatRetention(chatId: string): Promise<T.RetentionInfo> {
    return this.request(`/chats/${seg(chatId)}/retention`);
  }
  /**
   * `PUT /chats/<id>/retention {retentionDays}` (owner only): days to keep the chat's messages, null to follow the server.
   * @operation putChatsByIdRetention
   */
  setChatRetention(chatId: string, retentionDays: number | null): Promise<T.RetentionInfo> {
    return this.request(`/chats/${seg(chatId)}/retention`, { method: 'PUT', body: { retentionDays } });
  }
  /**
   * `POST /reports {messageId | userId | chatId, reason}` (201): reports to the administrators.
   * @operation postReports
   */
  report(body: BodyOf<'/reports', 'post'>): Promise<unknown> {
    return this.request('/reports', { body });
  }

  // Pages (cursor and `Link: rel="next"`) -------------------------------------------------

  /** `GET /chats?limit`: the caller's chats page by page, newest activity first. */
  chatPages(limit = 50, options: { full?: boolean } = {}): AsyncGenerator<T.ChatInfo[]> {
    return this.pages('/chats', { query: { limit, full: options.full === false ? undefined : 1 } });
  }
  /**
   * `GET /chats/<id>/messages`: the history page by page, each newest first — back in time from
   * the newest (or from `before`), or, with `after`, forwards towards the newest.
   */
  historyPages(chatId: string, options: { count?: number; before?: string; after?: string } = {}): AsyncGenerator<T.MessageInfo[]> {
    const { count = 50, before, after } = options;
    return this.pages(`/chats/${seg(chatId)}/messages`, { query: { count, before, after } }, undefined, after === undefined ? 'next' : 'prev');
  }
  /** `GET /chats/<id>/messages/<rootId>/thread` page by page, each newest first, back in time. */
  threadPages(chatId: string, rootId: string, count = 50): AsyncGenerator<T.MessageInfo[]> {
    return this.pages(`/chats/${seg(chatId)}/messages/${seg(rootId)}/thread`, { query: { count } });
  }
  /** `GET /users/me/mentions` page by page, newest first. */
  mentionPages(count = 50): AsyncGenerator<T.MessageInfo[]> {
    return this.pages('/users/me/mentions', { query: { count } });
  }
  /** `GET /users/me/contacts?limit` page by page, oldest first. */
  contactPages(limit = 50): AsyncGenerator<T.ContactInfo[]> {
    return this.pages('/users/me/contacts', { query: { limit } });
  }
  /** `GET /search/messages` page by page (each page's results). */
  searchMessagePages(query: T.MessageSearchQuery): AsyncGenerator<T.MessageSearchResult[]> {
    return this.pages('/search/messages', { query }, (body) => (body as T.MessageSearchPage).results);
  }
  /** `GET /search/chats?q&limit` page by page. */
  searchChatPages(q: string, limit = 20): AsyncGenerator<T.ChatInfo[]> {
    return this.pages('/search/chats', { query: { q, limit } });
  }

  /**
   * `POST /users/me/contacts`.
   * @operation postUsersMeContacts
   */
  addContact(userId: number, options: { name?: string; isFavorite?: boolean } = {}): Promise<T.ContactInfo> {
    return this.request('/users/me/contacts', { body: { ...options, user: { id: userId } } });
  }
  /**
   * `GET /users/me/contacts`.
   * @operation getUsersMeContacts
   */
  listContacts(): Promise<T.ContactInfo[]> {
    return this.request('/users/me/contacts');
  }
  /**
   * `DELETE /users/me/contacts/<id>`.
   * @operation deleteUsersMeContactsById
   */
  async deleteContact(contactId: string): Promise<void> {
    await this.request<Ok>(`/users/me/contacts/${seg(contactId)}`, { method: 'DELETE' });
  }
}
