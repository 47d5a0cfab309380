/**
 * `ParleyClient`: the native REST API, typed from the server's OpenAPI document. Holds the
 * access token after `register`/`login`; `socket()` opens the real-time connection.
 */
import { ChatsApi } from './chats.js';
import { RoomSocket, type RoomMessage, type RoomSocketOptions } from './rooms.js';
import { ParleySocket, type SocketOptions } from './socket.js';
import { seg, type Ok } from './core.js';
import type { RawBody } from './http.js';
import type * as T from './types.js';

/** A typed client for Parley's native API: `new ParleyClient({baseUrl})`, then `login`. */
export class ParleyClient extends ChatsApi {
  // Accounts ---------------------------------------------------------------------------

  /** `POST /users`: creates the account and keeps its token. */
  async register(body: T.RegisterBody): Promise<T.AuthAnswer> {
    const answer = await this.request<T.AuthAnswer>('/users', { body, anonymous: true });
    this.token = answer.token;
    return answer;
  }

  /** `POST /users/login` with `{username | email, password}`; keeps the token. */
  async login(body: T.LoginBody): Promise<T.AuthAnswer> {
    const answer = await this.request<T.AuthAnswer>('/users/login', { body, anonymous: true });
    this.token = answer.token;
    return answer;
  }

  /** `POST /users/me/logout`: the token stops working; it is forgotten here too. */
  async logout(): Promise<void> {
    await this.request<Ok>('/users/me/logout', { method: 'POST' });
    this.token = undefined;
  }

  // Users ------------------------------------------------------------------------------

  /** `GET /users/me`: the caller, with device sessions. */
  me(): Promise<T.MeInfo> {
    return this.request('/users/me');
  }
  /** `GET /users/<id>`. */
  getUser(userId: number): Promise<T.UserInfo> {
    return this.request(`/users/${seg(userId)}`);
  }
  /** `GET /users?s=`: users whose name or username contains `s`. */
  searchUsers(s: string, page: { limit?: number; offset?: number } = {}): Promise<T.UserInfo[]> {
    return this.request('/users', { query: { s, ...page } });
  }
  /** `PUT /users/me {name?, about?}`. */
  async updateMe(body: T.UpdateMeBody): Promise<void> {
    await this.request<Ok>('/users/me', { method: 'PUT', body });
  }
  /** `PUT /users/me/blocks/<userId>`: they can no longer open a chat with you, add you or write to you. */
  async blockUser(userId: number): Promise<void> {
    await this.request<Ok>(`/users/me/blocks/${seg(userId)}`, { method: 'PUT' });
  }
  /** `DELETE /users/me/blocks/<userId>`. */
  async unblockUser(userId: number): Promise<void> {
    await this.request<Ok>(`/users/me/blocks/${seg(userId)}`, { method: 'DELETE' });
  }
  /** `GET /users/me/blocks`: the users you blocked, newest block first. */
  blockedUsers(): Promise<T.UserInfo[]> {
    return this.request('/users/me/blocks');
  }
  /** `GET /users/me/presence`: the status the caller chose and how others see it. */
  myPresence(): Promise<T.OwnPresence> {
    return this.request('/users/me/presence');
  }
  /** `PUT /users/me/presence {status}`: `online` (automatic), `away`, `dnd` or `invisible` (looks offline). */
  setPresence(status: T.PresenceSetting): Promise<T.OwnPresence> {
    return this.request('/users/me/presence', { method: 'PUT', body: { status } });
  }
  /** `GET /users/presence?ids=`: the presence of those users the caller sees (others are left out). */
  presenceOf(userIds: number[]): Promise<T.PresenceInfo[]> {
    return this.request('/users/presence', { query: { ids: userIds.join(',') } });
  }

  // Files and photos -------------------------------------------------------------------

  /**
   * `POST /uploads` with the raw bytes. `contentType` is a MIME type or a bare extension;
   * the answer's `name` without its extension is the media id to attach.
   */
  upload(bytes: RawBody, options: { contentType?: string; fileName?: string } = {}): Promise<T.UploadAnswer & { id: string }> {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/octet-stream' };
    if (options.fileName) headers['file-name'] = options.fileName;
    return this.request<T.UploadAnswer>('/uploads', { method: 'POST', raw: bytes, headers }).then((a) => ({
      ...a,
      id: a.name.replace(/\.[^.]*$/, ''),
    }));
  }
  /** `POST /users/me/photos`: an upload of the caller's becomes the newest photo. */
  async addPhoto(mediaId: string): Promise<void> {
    await this.request<Ok>('/users/me/photos', { body: { photo: { id: mediaId } } });
  }
  /** `DELETE /users/me/photos/<id>`. */
  async deletePhoto(mediaId: string): Promise<void> {
    await this.request<Ok>(`/users/me/photos/${seg(mediaId)}`, { method: 'DELETE' });
  }

  // Real time --------------------------------------------------------------------------

  /** Opens the native socket (`/ws`), reconnecting with backoff and resuming from its cursor. */
  socket(options: Partial<SocketOptions> = {}): ParleySocket {
    return new ParleySocket({ url: `${this.wsBase}/ws`, token: () => this.token, ...options, WebSocket: this.webSocket(options.WebSocket) });
  }

  /** `GET /api/v1/messages?room=`: a room's messages, newest first (rooms API). */
  async roomMessages(room: string, page: { count?: number; before?: number } = {}): Promise<RoomMessage[]> {
    const answer = await this.request<{ data: RoomMessage[] }>('/api/v1/messages', { query: { room, ...page } });
    return answer.data;
  }

  /** Joins a public room (rooms API socket) as this user, or read-only without a token. */
  joinRoom(room: string, options: Partial<RoomSocketOptions> = {}): RoomSocket {
    const url = `${this.wsBase}/api/v1/rooms/${encodeURIComponent(room)}/ws`;
    return new RoomSocket({ url, token: this.token, ...options, WebSocket: this.webSocket(options.WebSocket) });
  }
}
