/** Accounts, users, devices, two-factor sign-in and files (the native USERS API) beside the chats. */
import { ChatsApi } from './chats.js';
import { seg, type Ok } from './core.js';
import type { RawBody } from './http.js';
import type { Answer, BodyOf, QueryOf } from './types.js';
import type * as T from './types.js';

/** The user, account and file routes of `ParleyClient`. */
export class UsersApi extends ChatsApi {
  /**
   * `POST /users`: creates the account and keeps its token.
   * @operation postUsers
   */
  async register(body: T.RegisterBody): Promise<T.AuthAnswer> {
    const answer = await this.request<T.AuthAnswer>('/users', { body, anonymous: true });
    this.token = answer.token;
    return answer;
  }

  /**
   * `POST /users/login` with `{username | email, password, code?}`; keeps the token.
   * @operation postUsersLogin
   */
  async login(body: T.LoginBody): Promise<T.AuthAnswer> {
    const answer = await this.request<T.AuthAnswer>('/users/login', { body, anonymous: true });
    this.token = answer.token;
    return answer;
  }

  /**
   * `POST /users/me/logout`: the token stops working; it is forgotten here too.
   * @operation postUsersMeLogout
   */
  async logout(): Promise<void> {
    await this.request<Ok>('/users/me/logout', { method: 'POST' });
    this.token = undefined;
  }

  /**
   * `DELETE /users/me` with Basic credentials (and `code` with two-factor sign-in): the account and all it owns go.
   * @operation deleteUsersMe
   */
  async deleteAccount(username: string, password: string, code?: string): Promise<void> {
    const basic = btoa(String.fromCodePoint(...new TextEncoder().encode(`${username}:${password}`)));
    await this.request<Ok>('/users/me', {
      method: 'DELETE',
      headers: { authorization: `Basic ${basic}` },
      anonymous: true,
      ...(code ? { body: { code } } : {}),
    });
    this.token = undefined;
  }

  /**
   * `PUT /users/me/changePassword {oldPassword, newPassword}` (the seed's name); the other sessions end.
   * @operation putUsersMeChangePassword
   */
  async changePassword(body: BodyOf<'/users/me/changePassword', 'put'>): Promise<void> {
    await this.request<Ok>('/users/me/changePassword', { method: 'PUT', body });
  }
  /**
   * `PUT /users/me/password {currentPassword, newPassword}` (upstream's current name).
   * @operation putUsersMePassword
   */
  async setPassword(body: BodyOf<'/users/me/password', 'put'>): Promise<void> {
    await this.request<Ok>('/users/me/password', { method: 'PUT', body });
  }
  /**
   * `PUT /users/me/setAccountKey` (or `/users/me/accountKey` with `route: 'accountKey'`): the recovery key for `resetPassword`.
   * @operation putUsersMeSetAccountKey
   * @operation putUsersMeAccountKey
   */
  async setAccountKey(body: BodyOf<'/users/me/setAccountKey', 'put'>, route: 'setAccountKey' | 'accountKey' = 'setAccountKey'): Promise<void> {
    await this.request<Ok>(`/users/me/${route}`, { method: 'PUT', body });
  }
  /**
   * `PUT /users/resetPassword` (or `POST` with `method: 'POST'`): a new password with the account key; every session ends.
   * @operation putUsersResetPassword
   * @operation postUsersResetPassword
   */
  async resetPassword(body: BodyOf<'/users/resetPassword', 'put'>, method: 'PUT' | 'POST' = 'PUT'): Promise<void> {
    await this.request<Ok>('/users/resetPassword', { method, body, anonymous: true });
  }

  /**
   * `GET /users/me`: the caller, with device sessions.
   * @operation getUsersMe
   */
  me(): Promise<T.MeInfo> {
    return this.request('/users/me');
  }
  /**
   * `PUT /users/me {name?, about?}`.
   * @operation putUsersMe
   */
  async updateMe(body: T.UpdateMeBody): Promise<void> {
    await this.request<Ok>('/users/me', { method: 'PUT', body });
  }
  /**
   * `PUT /users/me/device`: renames this device or sets its push token (`{token, transport}`).
   * @operation putUsersMeDevice
   */
  updateDevice(body: BodyOf<'/users/me/device', 'put'>): Promise<Answer<'/users/me/device', 'put'>> {
    return this.request('/users/me/device', { method: 'PUT', body });
  }
  /**
   * `GET /users/me/presence`: the status the caller chose and how others see it.
   * @operation getUsersMePresence
   */
  myPresence(): Promise<T.OwnPresence> {
    return this.request('/users/me/presence');
  }
  /**
   * `PUT /users/me/presence {status}`: `online` (automatic), `away`, `dnd` or `invisible` (looks offline).
   * @operation putUsersMePresence
   */
  setPresence(status: T.PresenceSetting): Promise<T.OwnPresence> {
    return this.request('/users/me/presence', { method: 'PUT', body: { status } });
  }
  /**
   * `GET /users/presence?ids=`: the presence of those users the caller sees (others are left out).
   * @operation getUsersPresence
   */
  presenceOf(userIds: number[]): Promise<T.PresenceInfo[]> {
    return this.request('/users/presence', { query: { ids: userIds.join(',') } });
  }
  /**
   * `GET /users/<id>`.
   * @operation getUsersById
   */
  getUser(userId: number): Promise<T.UserInfo> {
    return this.request(`/users/${seg(userId)}`);
  }
  /**
   * `GET /users?s=`: users whose name or username contains `s`, best match first.
   * @operation getUsers
   */
  searchUsers(s: string, page: { limit?: number; offset?: number } = {}): Promise<T.UserInfo[]> {
    return this.request('/users', { query: { s, ...page } });
  }
  /** `GET /users?s=` page by page (cursor and `Link`), `limit` users a page. */
  searchUsersPages(s: string, limit = 20): AsyncGenerator<T.UserInfo[]> {
    return this.pages('/users', { query: { s, limit } });
  }
  /**
   * `GET /users/all`: every user, newest first, page by page (`count` a page).
   * @operation getUsersAll
   */
  allUsersPages(count = 20): AsyncGenerator<T.UserInfo[]> {
    return this.pages('/users/all', { query: { count } });
  }

  /**
   * `POST /users/me/2fa/setup`: a new TOTP secret (with its `otpauth://` URI), in force once enabled.
   * @operation postUsersMe2faSetup
   */
  setupTwoFactor(): Promise<Answer<'/users/me/2fa/setup', 'post'>> {
    return this.request('/users/me/2fa/setup', { method: 'POST' });
  }
  /**
   * `POST /users/me/2fa/enable {code}`: answers ten single-use recovery codes, shown only now.
   * @operation postUsersMe2faEnable
   */
  enableTwoFactor(body: BodyOf<'/users/me/2fa/enable', 'post'>): Promise<Answer<'/users/me/2fa/enable', 'post'>> {
    return this.request('/users/me/2fa/enable', { body });
  }
  /**
   * `DELETE /users/me/2fa {password, code}`.
   * @operation deleteUsersMe2fa
   */
  async disableTwoFactor(body: BodyOf<'/users/me/2fa', 'delete'>): Promise<void> {
    await this.request<Ok>('/users/me/2fa', { method: 'DELETE', body });
  }

  /**
   * `POST /users/me/export` (202): starts an export of the caller's data; while one runs, that one is the answer.
   * @operation postUsersMeExport
   */
  startExport(): Promise<T.ExportStatus> {
    return this.request('/users/me/export', { method: 'POST' });
  }
  /**
   * `GET /users/me/export`: `{status: 'running', startedAt}` while the export runs (202), then
   * the file (JSON Lines, one object a line, `type` first) as text, for a day after it is made.
   * @operation getUsersMeExport
   */
  async exportData(): Promise<T.ExportStatus | { status: 'ready'; jsonl: string }> {
    const res = await this.requestRaw('/users/me/export');
    if (res.status === 202) return (await res.json()) as T.ExportStatus;
    return { status: 'ready', jsonl: await res.text() };
  }

  /**
   * `POST /uploads` with the raw bytes. `contentType` is a MIME type or a bare extension;
   * the answer's `name` without its extension is the media id to attach.
   * @operation postUploads
   */
  upload(bytes: RawBody, options: { contentType?: string; fileName?: string } = {}): Promise<T.UploadAnswer & { id: string }> {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/octet-stream' };
    if (options.fileName) headers['file-name'] = options.fileName;
    return this.request<T.UploadAnswer>('/uploads', { method: 'POST', raw: bytes, headers }).then((a) => ({
      ...a,
      id: a.name.replace(/\.[^.]*$/, ''),
    }));
  }
  /**
   * `GET` (or `HEAD`) `/uploads/<file>` or `/files/<file>` (upstream's name): a stored file or its
   * preview, as a `Response` (stream it, or `.arrayBuffer()`); `range` asks for bytes `start-end`.
   * @operation getUploadsByFile
   * @operation headUploadsByFile
   * @operation getFilesByFile
   * @operation headFilesByFile
   */
  download(file: string, options: { method?: 'GET' | 'HEAD'; route?: 'uploads' | 'files'; range?: string } = {}): Promise<Response> {
    const headers: Record<string, string> = options.range ? { range: `bytes=${options.range}` } : {};
    return this.requestRaw(`/${options.route ?? 'uploads'}/${seg(file)}`, { method: options.method ?? 'GET', headers, anonymous: true });
  }
  /**
   * `POST /users/me/photos`: an upload of the caller's becomes the newest photo.
   * @operation postUsersMePhotos
   */
  async addPhoto(mediaId: string): Promise<void> {
    await this.request<Ok>('/users/me/photos', { body: { photo: { id: mediaId } } });
  }
  /**
   * `DELETE /users/me/photos/<id>`.
   * @operation deleteUsersMePhotosById
   */
  async deletePhoto(mediaId: string): Promise<void> {
    await this.request<Ok>(`/users/me/photos/${seg(mediaId)}`, { method: 'DELETE' });
  }

  /**
   * `POST /hooks/<token> {text}`: posts into the chat of an incoming webhook (the URL is the credential).
   * @operation postHooksByToken
   */
  postToHook(token: string, body: BodyOf<'/hooks/{token}', 'post'>): Promise<Answer<'/hooks/{token}', 'post'>> {
    return this.request(`/hooks/${seg(token)}`, { body, anonymous: true });
  }

  /**
   * `GET /auth/oidc`: whether single sign-on is configured, and the provider's name.
   * @operation getAuthOidc
   */
  oidc(): Promise<Answer<'/auth/oidc', 'get'>> {
    return this.request('/auth/oidc', { anonymous: true });
  }
  /**
   * The URL a browser opens to sign in with the provider (`GET /auth/oidc/start`, a redirect), coming back to `redirect`.
   * @operation getAuthOidcStart
   */
  oidcStartUrl(query: Partial<QueryOf<'/auth/oidc/start', 'get'>> = {}): string {
    const url = new URL(`${this.baseUrl}/auth/oidc/start`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    return url.toString();
  }
  /**
   * `GET /auth/oidc/callback?<search>`: finishes a sign-in the provider redirected back (the
   * browser's own request, with its state cookie, normally does); keeps the token it answers.
   * @operation getAuthOidcCallback
   */
  async oidcCallback(search: string, cookie?: string): Promise<T.AuthAnswer> {
    const answer = await this.request<T.AuthAnswer>(`/auth/oidc/callback${search.startsWith('?') ? search : `?${search}`}`, {
      anonymous: true,
      ...(cookie ? { headers: { cookie } } : {}),
    });
    this.token = answer.token;
    return answer;
  }
}
