/**
 * `client.vapp`: the V-app API (`/vapp`), the backend of the Vonage sample app. It has a token
 * of its own (a Vonage user JWT, from `signup`/`login`/`refreshToken`), kept here; its errors
 * are `VappError`s.
 */
import { seg, type ClientCore } from './core.js';
import type { RequestOptions } from './http.js';
import type { Answer, AnswerWith, BodyOf } from './types.js';

export type VappUser = Answer<'/vapp/users', 'get'>[number];
export type VappSession = Answer<'/vapp/login', 'post'>;
export type VappConversationSummary = Answer<'/vapp/conversations', 'get'>[number];
export type VappConversation = Answer<'/vapp/conversations/{id}', 'get'>;

/** An image for a multipart upload: bytes with a type, and a file name. */
export interface VappImage {
  bytes: Blob | ArrayBuffer | Uint8Array;
  type: string;
  fileName?: string;
}

/** The V-app routes. */
export class VappApi {
  /** The V-app token (set by `signup`, `login`, `refreshToken`). */
  token: string | undefined;

  constructor(private readonly client: ClientCore) {}

  private request<R>(url: string, options: RequestOptions = {}): Promise<R> {
    return this.client.request<R>(`/vapp${url}`, { ...options, family: 'vapp', token: this.token, anonymous: this.token === undefined });
  }

  private form(image: VappImage): FormData {
    const form = new FormData();
    const bytes =
      image.bytes instanceof Blob ? image.bytes : new Blob([image.bytes as NonNullable<ConstructorParameters<typeof Blob>[0]>[number]], { type: image.type });
    form.append('image', bytes, image.fileName ?? 'image');
    return form;
  }

  /**
   * `POST /vapp/signup {name, password, display_name}` (201): the user, a token (kept) and everyone else.
   * @operation postVappSignup
   */
  async signup(body: BodyOf<'/vapp/signup', 'post'>): Promise<AnswerWith<'/vapp/signup', 'post', 201>> {
    const answer = await this.client.request<AnswerWith<'/vapp/signup', 'post', 201>>('/vapp/signup', { body, family: 'vapp', anonymous: true });
    this.token = answer.token;
    return answer;
  }
  /**
   * `POST /vapp/login {name, password, code?}`: keeps the token.
   * @operation postVappLogin
   */
  async login(body: BodyOf<'/vapp/login', 'post'>): Promise<VappSession> {
    const answer = await this.client.request<VappSession>('/vapp/login', { body, family: 'vapp', anonymous: true });
    this.token = answer.token;
    return answer;
  }
  /**
   * `POST /vapp/token {name, password}`: a fresh token (they last an hour), kept.
   * @operation postVappToken
   */
  async refreshToken(body: BodyOf<'/vapp/token', 'post'>): Promise<string> {
    const answer = await this.client.request<Answer<'/vapp/token', 'post'>>('/vapp/token', { body, family: 'vapp', anonymous: true });
    this.token = answer.token;
    return answer.token;
  }
  /**
   * `GET /vapp/users`: every other user.
   * @operation getVappUsers
   */
  users(): Promise<VappUser[]> {
    return this.request('/users');
  }
  /**
   * `POST /vapp/users/image` (multipart, field `image`): the caller's image.
   * @operation postVappUsersImage
   */
  setUserImage(image: VappImage): Promise<Answer<'/vapp/users/image', 'post'>> {
    return this.request('/users/image', { method: 'POST', raw: this.form(image) });
  }
  /**
   * `POST /vapp/image`: multipart (`image`) stores an image for messages; `{image_url}` sets the caller's image to that URL.
   * @operation postVappImage
   */
  image(input: VappImage | { image_url: string }): Promise<Answer<'/vapp/image', 'post'>> {
    return 'image_url' in input ? this.request('/image', { body: input }) : this.request('/image', { method: 'POST', raw: this.form(input) });
  }
  /**
   * `GET /vapp/conversations`: the caller's, newest activity first.
   * @operation getVappConversations
   */
  conversations(): Promise<VappConversationSummary[]> {
    return this.request('/conversations');
  }
  /**
   * `POST /vapp/conversations {users}`: with one user, their personal chat (reused).
   * @operation postVappConversations
   */
  createConversation(body: BodyOf<'/vapp/conversations', 'post'>): Promise<Answer<'/vapp/conversations', 'post'>> {
    return this.request('/conversations', { body });
  }
  /**
   * `GET /vapp/conversations/<id>`: with its newest 200 messages as events.
   * @operation getVappConversationsById
   */
  conversation(id: string): Promise<VappConversation> {
    return this.request(`/conversations/${seg(id)}`);
  }
  /**
   * `GET /vapp/avatars/<file>`: a default avatar (SVG), as a `Response`.
   * @operation getVappAvatarsByFile
   */
  avatar(file: string): Promise<Response> {
    return this.client.requestRaw(`/vapp/avatars/${seg(file)}`, { family: 'vapp', anonymous: true });
  }
}
