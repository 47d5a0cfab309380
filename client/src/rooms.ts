/** `RoomSocket`: a public room of the rooms API (`/api/v1/rooms/<room>/ws`). */
import { ReconnectingSocket, type LifecycleEvents, type ReconnectingOptions } from './reconnecting.js';

/** A room message as the rooms API sends it (`createTime` in Unix seconds). */
export interface RoomMessage {
  id: number;
  sender: { id: number; username: string };
  text: string;
  createTime: number;
}

export interface RoomEvents extends LifecycleEvents {
  /** New messages, oldest first. */
  messages: RoomMessage[];
}

export interface RoomSocketOptions extends ReconnectingOptions {
  /** `ws://host/api/v1/rooms/<room>/ws`. */
  url: string;
  /** Sent as the first subprotocol; without it the socket is read-only. */
  token?: string | undefined;
}

/** A room socket; connects at once and reconnects with backoff. */
export class RoomSocket extends ReconnectingSocket<RoomEvents> {
  constructor(private readonly options: RoomSocketOptions) {
    super(options);
    this.connect();
  }

  protected target() {
    return { url: this.options.url, protocols: this.options.token ? [this.options.token] : [] };
  }

  protected onFrame(text: string): void {
    try {
      const batch = JSON.parse(text) as unknown;
      if (Array.isArray(batch)) this.emit('messages', batch as RoomMessage[]);
    } catch {
      // not JSON: ignored
    }
  }

  /** Posts `text` (1–2048 bytes) to the room; false when not connected. */
  say(text: string): boolean {
    return this.sendText(JSON.stringify({ text }));
  }
}
