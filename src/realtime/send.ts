/**
 * Sending to a socket without unbounded memory: if the data the socket has not yet handed
 * to the network passes `maxBuffered`, the reader is too slow; it is closed with 1013 and
 * gets nothing more, and is cut off after a grace period if it never reads its close.
 */
import WebSocket from 'ws';
import { CloseCode } from './close-codes.js';

const SHED_GRACE_MS = 5_000;
const shed = new WeakSet<WebSocket>();

/** Sends `data` (a serialised frame) unless the socket is closed or too far behind; false when not sent. */
export function sendFrame(socket: WebSocket, data: string, maxBuffered: number): boolean {
  if (socket.readyState !== WebSocket.OPEN || shed.has(socket)) return false;
  if (socket.bufferedAmount > maxBuffered) {
    shed.add(socket);
    socket.close(CloseCode.TryAgainLater, 'too slow: unsent data passed the limit');
    setTimeout(() => socket.terminate(), SHED_GRACE_MS).unref();
    return false;
  }
  socket.send(data);
  return true;
}

/** Closes with `code` and cuts the connection if the peer does not answer the close in time. */
export function closeSocket(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === WebSocket.CLOSED) return;
  socket.close(code, reason);
  setTimeout(() => socket.terminate(), SHED_GRACE_MS).unref();
}
