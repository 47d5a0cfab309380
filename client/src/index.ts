/**
 * `@parley/client`: a typed client for Parley's native API and WebSocket, for Node.js 20+
 * (pass `ws` as `WebSocket`) and browsers.
 */
export { ParleyClient } from './client.js';
export type { ClientOptions } from './core.js';
export { newLocalId } from './chats.js';
export { ParleyError, VappError, RoomsError, linkOf, type Family, type InvalidParameter, type Fetch, type RawBody, type RequestOptions } from './http.js';
export { AdminApi, type AdminUser, type AdminSession, type Webhook, type WebhookDelivery, type ApiKeyInfo, type IncomingHook } from './admin.js';
export { VappApi, type VappUser, type VappSession, type VappConversation, type VappConversationSummary, type VappImage } from './vapp.js';
export { RoomsApi, type RoomInfo, type RoomsUser } from './rooms-api.js';
export {
  ParleySocket,
  type Ack,
  type AuxiliaryPayload,
  type Frame,
  type ServerEvents,
  type SocketAction,
  type SocketChatInfo,
  type SocketEvents,
  type SocketOptions,
} from './socket.js';
export { RoomSocket, type RoomEvents, type RoomMessage, type RoomSocketOptions } from './rooms.js';
export { FINAL_CLOSE_CODES, type LifecycleEvents } from './reconnecting.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket.js';
export type * from './types.js';
export type { paths } from './generated/openapi.js';
