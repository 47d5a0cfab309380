/**
 * `client.rooms`: the rooms API's HTTP routes (`/api/v1`), whose answers are the envelope
 * `{error, data}`: these methods answer `data`, and throw `RoomsError` (with the envelope's
 * `code`) otherwise. Its login answers a native access token, which the client keeps.
 */
import { seg, type ClientCore } from './core.js';
import type { RequestOptions } from './http.js';
import type { RoomMessage } from './rooms.js';
import type { Answer, AnswerWith, BodyOf } from './types.js';

type Data<A> = A extends { data: infer D } ? D : never;

export type RoomInfo = Data<Answer<'/api/v1/rooms/{room}', 'get'>>;
export type RoomsUser = Data<Answer<'/api/v1/users/{id}', 'get'>>;

/** The rooms routes. */
export class RoomsApi {
  constructor(private readonly client: ClientCore & { token: string | undefined }) {}

  private async data<R>(url: string, options: RequestOptions = {}): Promise<R> {
    return (await this.client.request<{ data: R }>(`/api/v1${url}`, { ...options, family: 'rooms' })).data;
  }

  /**
   * `POST /api/v1/users {username, secret, email?}` (201).
   * @operation postApiV1Users
   */
  register(body: BodyOf<'/api/v1/users', 'post'>): Promise<Data<AnswerWith<'/api/v1/users', 'post', 201>>> {
    return this.data('/users', { body, anonymous: true });
  }
  /**
   * `POST /api/v1/login {username, secret, code?}`: a native access token of a new session, kept by the client.
   * @operation postApiV1Login
   */
  async login(body: BodyOf<'/api/v1/login', 'post'>): Promise<Data<Answer<'/api/v1/login', 'post'>>> {
    const data = await this.data<Data<Answer<'/api/v1/login', 'post'>>>('/login', { body, anonymous: true });
    const token = (data as { token?: unknown }).token;
    if (typeof token === 'string') this.client.token = token;
    return data;
  }
  /**
   * `GET /api/v1/rooms/<room>`: the room, its sockets and signed-in users (on that node).
   * @operation getApiV1RoomsByRoom
   */
  room(room: string): Promise<RoomInfo> {
    return this.data(`/rooms/${seg(room)}`);
  }
  /**
   * `GET /api/v1/messages?room=`: a room's newest messages, newest first (`before` a message id).
   * @operation getApiV1Messages
   */
  messages(room: string, page: { count?: number; before?: number } = {}): Promise<RoomMessage[]> {
    return this.data('/messages', { query: { room, ...page } });
  }
  /** `GET /api/v1/messages?room=` page by page (cursor and `Link`), newest first. */
  messagePages(room: string, count = 50): AsyncGenerator<RoomMessage[]> {
    return this.client.pages('/api/v1/messages', { query: { room, count }, family: 'rooms' }, (body) => (body as { data: RoomMessage[] }).data);
  }
  /**
   * `GET /api/v1/users/<id>`: a user with their roles.
   * @operation getApiV1UsersById
   */
  user(id: number): Promise<RoomsUser> {
    return this.data(`/users/${seg(id)}`);
  }
  /**
   * `GET /api/v1/messages/<id>`.
   * @operation getApiV1MessagesById
   */
  message(id: number): Promise<RoomMessage> {
    return this.data(`/messages/${seg(id)}`);
  }
  /**
   * `PUT /api/v1/messages/<id> {text}` (its author or an administrator).
   * @operation putApiV1MessagesById
   */
  editMessage(id: number, text: string): Promise<RoomMessage> {
    return this.data(`/messages/${seg(id)}`, { method: 'PUT', body: { text } });
  }
}
