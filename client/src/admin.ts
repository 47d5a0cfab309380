/**
 * `client.admin`: the native API's administration routes (`/admin/…`, an administrator's
 * token): accounts and sessions, signing keys, outgoing webhooks, bots and their API keys,
 * incoming webhooks. Errors are `ParleyError`s (problem details).
 */
import { seg, type ClientCore, type Ok } from './core.js';
import type { Answer, BodyOf, QueryOf } from './types.js';

/** One account as administrators see it. */
export type AdminUser = Answer<'/admin/users/{user}', 'get'>;
export type AdminSession = Answer<'/admin/users/{user}/sessions', 'get'>[number];
export type Webhook = Answer<'/admin/webhooks/{id}', 'get'>;
export type WebhookDelivery = Answer<'/admin/webhooks/{id}/deliveries', 'get'>[number];
export type ApiKeyInfo = Answer<'/admin/bots/{id}/keys', 'get'>[number];
export type IncomingHook = Answer<'/admin/chats/{id}/hooks', 'get'>[number];

/** The administration routes, over the client's token. */
export class AdminApi {
  constructor(private readonly client: ClientCore) {}

  private request<R>(url: string, options?: Parameters<ClientCore['request']>[1]): Promise<R> {
    return this.client.request<R>(url, options);
  }

  /**
   * `POST /admin/users`: an account, not counted against the sign-up limit.
   * @operation postAdminUsers
   */
  createUser(body: BodyOf<'/admin/users', 'post'>): Promise<AdminUser> {
    return this.request('/admin/users', { body });
  }
  /**
   * `GET /admin/users?q&limit&cursor`: one page of accounts, newest first (`userPages` walks them).
   * @operation getAdminUsers
   */
  users(query: QueryOf<'/admin/users', 'get'> = {}): Promise<Answer<'/admin/users', 'get'>> {
    return this.request('/admin/users', { query });
  }
  /** `GET /admin/users` page by page (its `Link` headers). */
  userPages(query: Omit<QueryOf<'/admin/users', 'get'>, 'cursor'> = {}): AsyncGenerator<Answer<'/admin/users', 'get'>['users']> {
    return this.client.pages('/admin/users', { query }, (body) => (body as Answer<'/admin/users', 'get'>).users);
  }
  /**
   * `DELETE /admin/users/<user>`: the account and everything it owns.
   * @operation deleteAdminUsersByUser
   */
  async deleteUser(user: string | number): Promise<void> {
    await this.request<Ok>(`/admin/users/${seg(user)}`, { method: 'DELETE' });
  }
  /**
   * `GET /admin/audit?limit&cursor`: one page of the audit log, newest first.
   * @operation getAdminAudit
   */
  audit(query: QueryOf<'/admin/audit', 'get'> = {}): Promise<Answer<'/admin/audit', 'get'>> {
    return this.request('/admin/audit', { query });
  }
  /** `GET /admin/audit` page by page. */
  auditPages(limit = 50): AsyncGenerator<Answer<'/admin/audit', 'get'>['entries']> {
    return this.client.pages('/admin/audit', { query: { limit } }, (body) => (body as Answer<'/admin/audit', 'get'>).entries);
  }
  /**
   * `GET /admin/reports?status&limit&cursor`: one page of reports, newest first.
   * @operation getAdminReports
   */
  reports(query: QueryOf<'/admin/reports', 'get'> = {}): Promise<Answer<'/admin/reports', 'get'>> {
    return this.request('/admin/reports', { query });
  }
  /** `GET /admin/reports` page by page. */
  reportPages(query: Omit<QueryOf<'/admin/reports', 'get'>, 'cursor'> = {}): AsyncGenerator<Answer<'/admin/reports', 'get'>['reports']> {
    return this.client.pages('/admin/reports', { query }, (body) => (body as Answer<'/admin/reports', 'get'>).reports);
  }
  /**
   * `PUT /admin/reports/<id>`: resolve or dismiss, optionally deleting the message or disabling the user.
   * @operation putAdminReportsById
   */
  reviewReport(id: string | number, body: BodyOf<'/admin/reports/{id}', 'put'>): Promise<Answer<'/admin/reports/{id}', 'put'>> {
    return this.request(`/admin/reports/${seg(id)}`, { method: 'PUT', body });
  }
  /**
   * `GET /admin/users/<id or username>`.
   * @operation getAdminUsersByUser
   */
  getUser(user: string | number): Promise<AdminUser> {
    return this.request(`/admin/users/${seg(user)}`);
  }
  /**
   * `PUT /admin/users/<user>/disable` (or `/enable` with `disabled: false`): a disabled account cannot log in, its sessions end.
   * @operation putAdminUsersByUserDisable
   * @operation putAdminUsersByUserEnable
   */
  setDisabled(user: string | number, disabled = true): Promise<AdminUser> {
    return this.request(`/admin/users/${seg(user)}/${disabled ? 'disable' : 'enable'}`, { method: 'PUT' });
  }
  /**
   * `PUT /admin/users/<user>/password`: every session ends.
   * @operation putAdminUsersByUserPassword
   */
  setPassword(user: string | number, body: BodyOf<'/admin/users/{user}/password', 'put'>): Promise<AdminUser> {
    return this.request(`/admin/users/${seg(user)}/password`, { method: 'PUT', body });
  }
  /**
   * `PUT /admin/users/<user>/role {role}`.
   * @operation putAdminUsersByUserRole
   */
  setRole(user: string | number, body: BodyOf<'/admin/users/{user}/role', 'put'>): Promise<AdminUser> {
    return this.request(`/admin/users/${seg(user)}/role`, { method: 'PUT', body });
  }
  /**
   * `GET /admin/users/<user>/sessions` (whole; `sessionPages` pages it).
   * @operation getAdminUsersByUserSessions
   */
  sessions(user: string | number): Promise<AdminSession[]> {
    return this.request(`/admin/users/${seg(user)}/sessions`);
  }
  /** `GET /admin/users/<user>/sessions?limit` page by page. */
  sessionPages(user: string | number, limit = 50): AsyncGenerator<AdminSession[]> {
    return this.client.pages(`/admin/users/${seg(user)}/sessions`, { query: { limit } });
  }
  /**
   * `DELETE /admin/users/<user>/sessions`: ends every session of the account.
   * @operation deleteAdminUsersByUserSessions
   */
  endSessions(user: string | number): Promise<Answer<'/admin/users/{user}/sessions', 'delete'>> {
    return this.request(`/admin/users/${seg(user)}/sessions`, { method: 'DELETE' });
  }
  /**
   * `DELETE /admin/sessions/<id>`: ends one session at once (its socket closes).
   * @operation deleteAdminSessionsById
   */
  async endSession(sessionId: string): Promise<void> {
    await this.request<Ok>(`/admin/sessions/${seg(sessionId)}`, { method: 'DELETE' });
  }
  /**
   * `POST /admin/keys/rotate`: a new signing key signs from now on.
   * @operation postAdminKeysRotate
   */
  rotateSigningKey(): Promise<Answer<'/admin/keys/rotate', 'post'>> {
    return this.request('/admin/keys/rotate', { method: 'POST' });
  }

  /**
   * `POST /admin/webhooks`: its answer holds the signature secret, shown only here.
   * @operation postAdminWebhooks
   */
  createWebhook(body: BodyOf<'/admin/webhooks', 'post'>): Promise<Answer<'/admin/webhooks', 'post'>> {
    return this.request('/admin/webhooks', { body });
  }
  /**
   * `GET /admin/webhooks` (whole; `webhookPages` pages it).
   * @operation getAdminWebhooks
   */
  webhooks(): Promise<Webhook[]> {
    return this.request('/admin/webhooks');
  }
  /** `GET /admin/webhooks?limit` page by page. */
  webhookPages(limit = 50): AsyncGenerator<Webhook[]> {
    return this.client.pages('/admin/webhooks', { query: { limit } });
  }
  /**
   * `GET /admin/webhooks/<id>`.
   * @operation getAdminWebhooksById
   */
  webhook(id: string): Promise<Webhook> {
    return this.request(`/admin/webhooks/${seg(id)}`);
  }
  /**
   * `DELETE /admin/webhooks/<id>` with its deliveries.
   * @operation deleteAdminWebhooksById
   */
  async deleteWebhook(id: string): Promise<void> {
    await this.request<Ok>(`/admin/webhooks/${seg(id)}`, { method: 'DELETE' });
  }
  /**
   * `GET /admin/webhooks/<id>/deliveries`: the newest 100, newest first.
   * @operation getAdminWebhooksByIdDeliveries
   */
  deliveries(id: string): Promise<WebhookDelivery[]> {
    return this.request(`/admin/webhooks/${seg(id)}/deliveries`);
  }
  /** `GET /admin/webhooks/<id>/deliveries?limit` page by page. */
  deliveryPages(id: string, limit = 50): AsyncGenerator<WebhookDelivery[]> {
    return this.client.pages(`/admin/webhooks/${seg(id)}/deliveries`, { query: { limit } });
  }

  /**
   * `POST /admin/bots`: a bot user (API keys only).
   * @operation postAdminBots
   */
  createBot(body: BodyOf<'/admin/bots', 'post'>): Promise<Answer<'/admin/bots', 'post'>> {
    return this.request('/admin/bots', { body });
  }
  /**
   * `POST /admin/bots/<id>/keys {scopes}`: the key is in this answer only.
   * @operation postAdminBotsByIdKeys
   */
  createApiKey(botId: number, body: BodyOf<'/admin/bots/{id}/keys', 'post'>): Promise<Answer<'/admin/bots/{id}/keys', 'post'>> {
    return this.request(`/admin/bots/${seg(botId)}/keys`, { body });
  }
  /**
   * `GET /admin/bots/<id>/keys` (never the keys themselves).
   * @operation getAdminBotsByIdKeys
   */
  apiKeys(botId: number): Promise<ApiKeyInfo[]> {
    return this.request(`/admin/bots/${seg(botId)}/keys`);
  }
  /** `GET /admin/bots/<id>/keys?limit` page by page. */
  apiKeyPages(botId: number, limit = 50): AsyncGenerator<ApiKeyInfo[]> {
    return this.client.pages(`/admin/bots/${seg(botId)}/keys`, { query: { limit } });
  }
  /**
   * `DELETE /admin/bots/<id>/keys/<keyId>`: its requests fail and its sockets close at once.
   * @operation deleteAdminBotsByIdKeysByKeyId
   */
  async revokeApiKey(botId: number, keyId: string): Promise<void> {
    await this.request<Ok>(`/admin/bots/${seg(botId)}/keys/${seg(keyId)}`, { method: 'DELETE' });
  }

  /**
   * `POST /admin/chats/<id>/hooks {name}`: an incoming webhook; its secret URL is in this answer only.
   * @operation postAdminChatsByIdHooks
   */
  createHook(chatId: string, body: BodyOf<'/admin/chats/{id}/hooks', 'post'>): Promise<Answer<'/admin/chats/{id}/hooks', 'post'>> {
    return this.request(`/admin/chats/${seg(chatId)}/hooks`, { body });
  }
  /**
   * `GET /admin/chats/<id>/hooks` (never their URLs).
   * @operation getAdminChatsByIdHooks
   */
  hooks(chatId: string): Promise<IncomingHook[]> {
    return this.request(`/admin/chats/${seg(chatId)}/hooks`);
  }
  /** `GET /admin/chats/<id>/hooks?limit` page by page. */
  hookPages(chatId: string, limit = 50): AsyncGenerator<IncomingHook[]> {
    return this.client.pages(`/admin/chats/${seg(chatId)}/hooks`, { query: { limit } });
  }
  /**
   * `DELETE /admin/chats/<id>/hooks/<hookId>`: its URL stops working.
   * @operation deleteAdminChatsByIdHooksByHookId
   */
  async deleteHook(chatId: string, hookId: string): Promise<void> {
    await this.request<Ok>(`/admin/chats/${seg(chatId)}/hooks/${seg(hookId)}`, { method: 'DELETE' });
  }
}
