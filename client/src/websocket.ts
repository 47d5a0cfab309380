/**
 * The little of a WebSocket the client uses, so that the browser's own and Node's `ws`
 * both fit without a cast.
 */

/** A browser `WebSocket` or a `ws` WebSocket. */
export interface WebSocketLike {
  readonly readyState: number;
  // Handler parameters are loose on purpose: DOM and `ws` event classes differ.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  onopen: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  /* eslint-enable @typescript-eslint/no-explicit-any */
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
