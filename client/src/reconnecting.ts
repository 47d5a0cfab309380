/**
 * A WebSocket that comes back: after an unexpected close it reconnects with backoff until
 * `close()` is called. `pause()` drops the connection and waits for `resume()` (a browser
 * going offline); close codes that mean "don't come back" (4000 replaced, 4001 revoked,
 * 1008 policy) stop it.
 */
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { Emitter } from './emitter.js';
import { OPEN, textOf, type WebSocketConstructor, type WebSocketLike } from './websocket.js';

/** Events every reconnecting socket emits. */
export interface LifecycleEvents {
  /** Connected (again); `attempt` counts failed tries before it. */
  open: { url: string; attempt: number };
  /** Disconnected; `retryInMs` is null when it will not come back by itself. */
  close: { code: number; reason: string; retryInMs: number | null };
}

/** Codes after which reconnecting would be wrong or pointless. */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([1008, 4000, 4001]);

export interface ReconnectingOptions {
  WebSocket: WebSocketConstructor;
  backoff?: Partial<BackoffOptions>;
}

/** The reconnect loop; subclasses say where to connect and what a frame means. */
export abstract class ReconnectingSocket<Events extends LifecycleEvents> extends Emitter<Events> {
  protected ws: WebSocketLike | undefined;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private paused = false;
  private readonly backoff: BackoffOptions;

  constructor(private readonly base: ReconnectingOptions) {
    super();
    this.backoff = { ...DEFAULT_BACKOFF, ...base.backoff };
  }

  /** The URL and subprotocols of the next connection. */
  protected abstract target(): { url: string; protocols: string[] };
  /** One text frame from the server. */
  protected abstract onFrame(text: string): void;

  /** True while connected. */
  get connected(): boolean {
    return this.ws?.readyState === OPEN;
  }

  /** Starts connecting (the constructor of a subclass calls it). */
  protected connect(): void {
    if (this.stopped || this.paused || this.ws) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const { url, protocols } = this.target();
    const ws = new this.base.WebSocket(url, protocols);
    this.ws = ws;
    ws.onopen = () => {
      this.emit('open', { url, attempt: this.attempt } as Events['open']);
      this.attempt = 0;
    };
    ws.onmessage = (event: { data: unknown }) => this.onFrame(textOf(event.data));
    // An error is always followed by a close; the close decides.
    ws.onerror = () => undefined;
    ws.onclose = (event: { code?: number; reason?: unknown }) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      const code = event.code ?? 1006;
      const final = this.stopped || this.paused || FINAL_CLOSE_CODES.has(code);
      const retryInMs = final ? null : backoffDelay(this.attempt++, this.backoff);
      this.emit('close', { code, reason: String(event.reason ?? ''), retryInMs } as Events['close']);
      if (retryInMs !== null) this.timer = setTimeout(() => this.connect(), retryInMs);
      else if (!this.paused) this.stopped = true;
    };
  }

  /** Sends text if connected; false otherwise. */
  protected sendText(text: string): boolean {
    if (!this.ws || this.ws.readyState !== OPEN) return false;
    this.ws.send(text);
    return true;
  }

  /** Drops the connection and stays away until `resume()`. */
  pause(): void {
    this.paused = true;
    clearTimeout(this.timer);
    this.ws?.close(1000, 'paused');
  }

  /** Connects again at once (after `pause()`, or to cut a backoff short). */
  resume(): void {
    this.paused = false;
    this.attempt = 0;
    if (!this.stopped && !this.ws) this.connect();
  }

  /** Closes for good. */
  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close(1000, 'closed by the client');
  }
}
