/**
 * The plumbing every family's socket route shares: the `Origin` check before the upgrade,
 * and, once open, the socket's place in the hub, its open-socket gauge and its frame reader
 * (backpressure, frame-reader.ts). A family's socket file keeps only its protocol: how to
 * authenticate, parse and answer frames, and present what the fan-out gives it.
 */
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { WebSocket, WebSocketServer } from 'ws';
import { forbidden } from '../errors.js';
import type { Metrics } from '../ports/metrics.js';
import { CloseCode } from './close-codes.js';
import { hardCapBytes, readFrames, type FrameHandler } from './frame-reader.js';
import type { Hub, HubConnection } from './hub.js';
import { drainOnShutdown } from '../shutdown/socket-drain.js';
import { originAllowed } from './upgrade.js';

/** The realtime settings a socket route reads (a subset of the configuration's `realtime`). */
export interface SocketLimits {
  /** Allowed `Origin`s for upgrades; empty allows any. */
  origins: string[];
  /** Frames handled a second on average (bursts of twice that); 0 = no limit. */
  maxFramesPerSecond: number;
  /** Largest frame a client may send (ws closes with 1009 beyond it). */
  maxPayloadBytes: number;
}

/** What `serveSocket` needs besides the socket. */
export interface SocketRouteOptions {
  hub: Hub;
  /** The server the socket belongs to: shutdown drains its sockets' frames (shutdown/socket-drain.ts). */
  server: WebSocketServer;
  /** Answers a frame read but abandoned at shutdown (the native ack `unavailable`); none for rooms. */
  abandoned?: (data: Buffer) => void;
  metrics: Metrics;
  limits: SocketLimits;
  log: FastifyBaseLogger;
}

/** Before the upgrade: a foreign `Origin` is refused with HTTP 403 rather than given a socket. */
export function refuseForeignOrigin(request: FastifyRequest, origins: string[]): void {
  if (!originAllowed(request, origins)) throw forbidden('This Origin may not open sockets here.');
}

/**
 * Serves an open socket: adds `conn` to the hub until the socket closes, counts it on the
 * open-socket gauge under its protocol, and hands its frames to `onFrame` one at a time
 * with backpressure. Listeners are attached at once, so nothing sent meanwhile is lost. A
 * socket whose session was revoked while it was being upgraded is closed with 4001.
 */
export function serveSocket(socket: WebSocket, conn: HubConnection, onFrame: FrameHandler, options: SocketRouteOptions): void {
  const { hub, metrics, limits, log } = options;
  const work = readFrames(socket, onFrame, {
    perSecond: limits.maxFramesPerSecond,
    maxUnhandledBytes: hardCapBytes(limits.maxPayloadBytes),
    onError: (err) => log.error({ err, protocol: conn.protocol }, 'socket frame failed'),
    abandoned: options.abandoned,
  });
  drainOnShutdown(options.server, socket, work);
  metrics.socketOpened(conn.protocol);
  const remove = hub.add(conn);
  socket.on('close', () => {
    metrics.socketClosed(conn.protocol);
    remove();
  });
  // Revoked after its token was checked but before it joined: the fan-out found nothing to close.
  if (hub.wasRevoked(conn.sessionId)) conn.close(CloseCode.Revoked, 'session revoked');
}
