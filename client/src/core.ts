/** What every part of the client shares: the base URL, the token, fetch and WebSocket. */
import { linkOf, send, sendRaw, type Fetch, type RequestOptions } from './http.js';
import type { WebSocketConstructor } from './websocket.js';

export interface ClientOptions {
  /** The server's base URL, e.g. `http://localhost:3000` (or `location.origin` in a browser). */
  baseUrl: string;
  /** An access token from an earlier login. */
  token?: string;
  /** `fetch` to use (default: the global one). */
  fetch?: Fetch;
  /** A WebSocket constructor: the global one in browsers; pass `ws`'s in Node 20, which has none. */
  WebSocket?: WebSocketConstructor;
}

/** `{}`, the native API's "OK". */
export type Ok = Record<string, never>;

/** A path segment, escaped. */
export const seg = (value: string | number) => encodeURIComponent(String(value));

/** The base of `ParleyClient`: configuration and the one request function. */
export class ClientCore {
  readonly baseUrl: string;
  /** The current access token (set by `register` and `login`). */
  token: string | undefined;
  protected readonly fetchFn: Fetch;
  protected readonly WebSocketImpl: WebSocketConstructor | undefined;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    const globalFetch = (globalThis as { fetch?: Fetch }).fetch;
    const fetchFn = options.fetch ?? globalFetch?.bind(globalThis);
    if (!fetchFn) throw new TypeError('no fetch: pass options.fetch');
    this.fetchFn = fetchFn;
    this.WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  }

  /** Any route, with the token; throws `ParleyError` (or the family's subclass) on a non-2xx answer. */
  request<R>(path: string, options?: RequestOptions): Promise<R> {
    return send<R>(this.fetchFn, this.baseUrl, this.token, path, options);
  }

  /** Any route, the raw `Response` (downloads, text); throws like `request`. */
  requestRaw(path: string, options?: RequestOptions): Promise<Response> {
    return sendRaw(this.fetchFn, this.baseUrl, this.token, path, options);
  }

  /**
   * The pages of a list: the first with `options`, then each `Link: <…>; rel="next"` (or `rel`)
   * until there is none. `pick` turns a body into its items (default: the body is the array).
   *
   * @example
   * for await (const page of client.pages<ChatInfo>('/chats', { query: { limit: 20 } })) show(page);
   */
  async *pages<T>(path: string, options: RequestOptions = {}, pick: (body: unknown) => T[] = (body) => body as T[], rel = 'next'): AsyncGenerator<T[]> {
    let next: string | undefined = path;
    let first = true;
    while (next !== undefined) {
      const res = await this.requestRaw(first ? path : this.pathOf(next), first ? options : { ...options, query: undefined });
      first = false;
      const text = await res.text();
      yield pick(text ? JSON.parse(text) : []);
      next = linkOf(res.headers.get('link'), rel);
    }
  }

  /** A `Link` target (path-absolute, as the server sends it) as a path under the base URL. */
  protected pathOf(link: string): string {
    const url = new URL(link, `${this.baseUrl}/`);
    const basePath = new URL(this.baseUrl).pathname.replace(/\/$/, '');
    const path = basePath && url.pathname.startsWith(`${basePath}/`) ? url.pathname.slice(basePath.length) : url.pathname;
    return path + url.search;
  }

  /** The WebSocket constructor, or a clear error when there is none. */
  protected webSocket(given?: WebSocketConstructor): WebSocketConstructor {
    const impl = given ?? this.WebSocketImpl;
    if (!impl) throw new TypeError('no WebSocket: pass options.WebSocket (in Node 20, the `ws` package)');
    return impl;
  }

  /** `ws://` or `wss://` for the base URL. */
  protected get wsBase(): string {
    return this.baseUrl.replace(/^http/, 'ws');
  }
}
