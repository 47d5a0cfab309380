/**
 * The little of a WebSocket the client uses, so that the browser's own and Node's `ws`
 * both fit without a cast.
 */

/** A browser `WebSocket` or a `ws` WebSocket. */
export interface WebSocketLike {
  readonly readyState: number;
  // Handler parameters are loose on purpose: DOM and `ws` event classes differ.
  // biome-ignore lint/suspicious/noExplicitAny: DOM and ws event classes differ
  onopen: ((event: any) => void) | null;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  onclose: ((event: any) => void) | null;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  onmessage: ((event: any) => void) | null;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  onerror: ((event: any) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** `WebSocket` in browsers, `(await import('ws')).WebSocket` in Node 20. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** `readyState` of an open socket. */
export const OPEN = 1;

/** Text of a message event's data (a string in browsers, a Buffer or string with `ws`). */
export function textOf(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data as Uint8Array);
  return String(data);
}
