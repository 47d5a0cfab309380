/**
 * `ParleySocket`: the native real-time connection (`/ws`) with typed events. It remembers
 * the last event cursor and reconnects with `?since=<cursor>`, so events missed while away
 * are replayed; frames at or below the cursor are dropped, so none is seen twice.
 */
import { ReconnectingSocket, type LifecycleEvents, type ReconnectingOptions } from './reconnecting.js';
import type { NativeActionName, NativeEventName } from './generated/asyncapi.js';
import type { ChatInfo, MessageInfo, PresenceInfo, UserInfo } from './types.js';

export type { WebSocketConstructor, WebSocketLike } from './websocket.js';

/** ChatInfo as pushed on the socket: the recipient's own flags, no unread count. */
export type SocketChatInfo = Omit<ChatInfo, 'unreadCount'>;

/** An `auxiliary` event: typing and the like, never stored. */
export interface AuxiliaryPayload {
  chatId: string;
  name: string;
  text?: string;
  realm?: string;
  data?: unknown;
}

/** The answer to an action sent over the socket. */
export interface Ack {
  ok: boolean;
  /** The action this ack answers (`send`, `edit`, `typing`, …). */
  action?: string;
  localId?: string;
  requestId?: string;
  /** The message's id (a UUID, as MessageInfo `id`). */
  messageId?: string;
  seq?: number;
  error?: string;
  message?: string;
  /** With `error: "rate_limited"` (the send limit): seconds until sending is allowed again; the socket stays open. */
  retryAfter?: number;
}

/** Server events by name, with their payloads. */
export interface ServerEvents {
  message: MessageInfo;
  messageUpdate: MessageInfo;
  messageRead: MessageInfo;
  /** A device of another member received the caller's message. */
  messageDelivered: { chatId: string; messageId: string; userId: number };
  chatUpdate: SocketChatInfo;
  addedUsers: SocketChatInfo;
  removedUsers: SocketChatInfo;
  chatCleared: { chatId: string };
  chatDeleted: { chatId: string; id: string };
  userUpdate: UserInfo;
  auxiliary: AuxiliaryPayload;
  /** A user the caller sees changed presence (volatile: no cursor, not replayed; snapshot with `presenceOf`). */
  presence: PresenceInfo;
  ack: Ack;
  /** The cursor was too old: fetch the chats again; the socket goes on from `cursor`. */
  resync: { reason: string; cursor: number };
}

/** A frame as it arrives. */
export interface Frame<K extends keyof ServerEvents = keyof ServerEvents> {
  event: K;
  source: string;
  payload: ServerEvents[K];
  cursor?: number;
}

/** Every event a `ParleySocket` emits: the server's, lifecycle, and `frame` for all of them. */
export interface SocketEvents extends ServerEvents, LifecycleEvents {
  frame: Frame;
}

/** Actions a client may send (`ack` answers each). */
export type SocketAction =
  | { action: 'send'; chatId: string; localId: string; text?: string; attachment?: { id?: string; fileType: string; fileSize: number } }
  | { action: 'read'; chatId: string; messageId: string }
  | { action: 'delivered'; chatId: string; messageId: string }
  | { action: 'notify'; chatId: string; name: string; text?: string; data?: unknown };

// The socket's names are the AsyncAPI document's (/asyncapi.json, generated/asyncapi.ts): these fail to compile when they differ.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const eventsMatch: Same<keyof ServerEvents, NativeEventName> = true;
const actionsMatch: Same<SocketAction['action'], NativeActionName> = true;
void eventsMatch;
void actionsMatch;

export interface SocketOptions extends ReconnectingOptions {
  /** `ws://host/ws`. */
  url: string;
  /** The token, read at each (re)connect; sent as the subprotocol (browsers can't set headers). */
  token: () => string | undefined;
  /** Resume from this cursor on the first connect (e.g. one kept in storage). */
  since?: number;
  /** How long `act` waits for its ack, ms (default 10 000). */
  ackTimeoutMs?: number;
}

let requests = 0;

/** The native socket; connects at once. */
export class ParleySocket extends ReconnectingSocket<SocketEvents> {
  private last: number | undefined;

  constructor(private readonly options: SocketOptions) {
    super(options);
    this.last = options.since;
    this.connect();
  }

  /** The cursor of the last event seen (what a reconnect resumes from). */
  get cursor(): number | undefined {
    return this.last;
  }

  protected target() {
    const url = new URL(this.options.url);
    if (this.last !== undefined) url.searchParams.set('since', String(this.last));
    const token = this.options.token();
    return { url: url.toString(), protocols: token ? [token] : [] };
  }

  protected onFrame(text: string): void {
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      return;
    }
    if (typeof frame?.event !== 'string') return;
    if (typeof frame.cursor === 'number') {
      if (this.last !== undefined && frame.cursor <= this.last) return;
      this.last = frame.cursor;
    }
    if (frame.event === 'resync') this.last = (frame.payload as ServerEvents['resync']).cursor;
    this.emit('frame', frame);
    this.emit(frame.event, frame.payload as never);
  }

  /** Sends an action and resolves with its ack (rejects when not connected or on timeout). */
  act(action: SocketAction): Promise<Ack> {
    const requestId = `r${++requests}`;
    const answer = this.once('ack', (ack) => ack.requestId === requestId);
    if (!this.sendText(JSON.stringify({ ...action, requestId }))) return Promise.reject(new Error('the socket is not connected'));
    const timeout = this.options.ackTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack within ${timeout} ms`)), timeout);
      void answer.then((ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
    });
  }
}
