/**
 * Sending to a socket without unbounded memory: if the data the socket has not yet handed
 * to the network passes `maxBuffered`, the reader is too slow; it is closed with 1013 and
 * gets nothing more, and is cut off after a grace period if it never reads its close.
 */
import WebSocket from 'ws';
import type { Metrics } from '../ports/metrics.js';
import { CloseCode } from './close-codes.js';

const SHED_GRACE_MS = 5_000;
const shed = new WeakSet<WebSocket>();

/** What became of one frame: sent, or dropped because the socket was closed or its reader too slow. */
export type SendOutcome = 'sent' | 'socket_closed' | 'slow_consumer';

/** Sends `data` (a serialised frame) unless the socket is closed or too far behind. */
export function trySend(socket: WebSocket, data: string, maxBuffered: number): SendOutcome {
  if (shed.has(socket)) return 'slow_consumer';
  if (socket.readyState !== WebSocket.OPEN) return 'socket_closed';
  if (socket.bufferedAmount > maxBuffered) {
    shed.add(socket);
    socket.close(CloseCode.TryAgainLater, 'too slow: unsent data passed the limit');
    setTimeout(() => socket.terminate(), SHED_GRACE_MS).unref();
    return 'slow_consumer';
  }
  socket.send(data);
  return 'sent';
}

/** `trySend`, true when sent. */
export function sendFrame(socket: WebSocket, data: string, maxBuffered: number): boolean {
  return trySend(socket, data, maxBuffered) === 'sent';
}

/** Sends one event frame and counts it as delivered (by `protocol`) or dropped (by reason). */
export function sendEvent(socket: WebSocket, data: string, maxBuffered: number, protocol: string, metrics: Metrics): boolean {
  const outcome = trySend(socket, data, maxBuffered);
  if (outcome === 'sent') metrics.eventsDelivered(protocol);
  else metrics.eventsDropped(outcome);
  return outcome === 'sent';
}

/**
 * Resolves once `socket`'s unsent data is at most `lowWater` bytes (the TCP socket drained),
 * or the socket closed: a writer of many frames (a replay) waits here instead of growing the
 * buffer until `trySend` sheds the socket as a slow reader.
 */
export function drained(socket: WebSocket, lowWater: number): Promise<void> {
  if (socket.readyState !== WebSocket.OPEN || socket.bufferedAmount <= lowWater) return Promise.resolve();
  const raw = (socket as unknown as { _socket?: NodeJS.EventEmitter })._socket;
  if (!raw) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    socket.on('close', done);
  });
}

/** Closes with `code` and cuts the connection if the peer does not answer the close in time. */
export function closeSocket(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === WebSocket.CLOSED) return;
  socket.close(code, reason);
  setTimeout(() => socket.terminate(), SHED_GRACE_MS).unref();
}
