/**
 * `ParleyClient`: every operation of Parley's HTTP APIs, typed from the server's OpenAPI
 * document, and its sockets. The native API is on the client itself (users, chats, messages,
 * contacts, search, files), the administration routes on `client.admin`, the V-app API on
 * `client.vapp`, the rooms API on `client.rooms`. Each method's JSDoc names the operationIds it
 * calls (`@operation`), which test/client.coverage.test.ts checks against `/openapi.json`.
 *
 * The native family is served again under `/api/…` (`apiGetUsersMe` … in `/openapi.json`,
 * `x-parley-alias-of` naming the root operation): `new ParleyClient({baseUrl: origin + '/api'})`
 * calls those.
 */
import { AdminApi } from './admin.js';
import type { ClientOptions } from './core.js';
import { RoomsApi } from './rooms-api.js';
import { RoomSocket, type RoomMessage, type RoomSocketOptions } from './rooms.js';
import { ParleySocket, type SocketOptions } from './socket.js';
import type { Answer } from './types.js';
import { UsersApi } from './users.js';
import { VappApi } from './vapp.js';

/** A typed client for Parley: `new ParleyClient({baseUrl})`, then `login`. */
export class ParleyClient extends UsersApi {
  /** The administration routes (an administrator's token). */
  readonly admin: AdminApi;
  /** The V-app API (`/vapp`), with its own token. */
  readonly vapp: VappApi;
  /** The rooms API's HTTP routes (`/api/v1`). */
  readonly rooms: RoomsApi;

  constructor(options: ClientOptions) {
    super(options);
    this.admin = new AdminApi(this);
    this.vapp = new VappApi(this);
    this.rooms = new RoomsApi(this);
  }

  // System -----------------------------------------------------------------------------

  /**
   * `GET /healthz`: true once the server is up.
   * @operation getHealthz
   */
  async health(): Promise<boolean> {
    return (await this.requestRaw('/healthz', { anonymous: true })).ok;
  }
  /**
   * `GET /readyz`: the readiness checks (throws `ParleyError` 503 when not ready).
   * @operation getReadyz
   */
  ready(): Promise<Answer<'/readyz', 'get'>> {
    return this.request('/readyz', { anonymous: true });
  }
  /**
   * `GET /.well-known/jwks.json`: the public keys that verify access tokens.
   * @operation getWellKnownJwksJson
   */
  jwks(): Promise<{ keys: (Record<string, unknown> & { kid?: string; kty: string })[] }> {
    return this.request('/.well-known/jwks.json', { anonymous: true });
  }
  /**
   * `GET /metrics`: Prometheus text; `metricsToken` when the server sets `METRICS_TOKEN`.
   * @operation getMetrics
   */
  async metrics(metricsToken?: string): Promise<string> {
    return (await this.requestRaw('/metrics', metricsToken ? { token: metricsToken } : { anonymous: true })).text();
  }

  // Real time --------------------------------------------------------------------------

  /** Opens the native socket (`/ws`), reconnecting with backoff and resuming from its cursor (see `/asyncapi.json`). */
  socket(options: Partial<SocketOptions> = {}): ParleySocket {
    return new ParleySocket({ url: `${this.wsBase}/ws`, token: () => this.token, ...options, WebSocket: this.webSocket(options.WebSocket) });
  }

  /** `GET /api/v1/messages?room=`: a room's messages, newest first (as `client.rooms.messages`). */
  roomMessages(room: string, page: { count?: number; before?: number } = {}): Promise<RoomMessage[]> {
    return this.rooms.messages(room, page);
  }

  /** Joins a public room (rooms API socket) as this user, or read-only without a token. */
  joinRoom(room: string, options: Partial<RoomSocketOptions> = {}): RoomSocket {
    const url = `${this.wsBase}/api/v1/rooms/${encodeURIComponent(room)}/ws`;
    return new RoomSocket({ url, token: this.token, ...options, WebSocket: this.webSocket(options.WebSocket) });
  }
}
