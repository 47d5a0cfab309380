/**
 * The native WebSocket (SPEC 5) at `/ws` and `/<DeviceSession.id>`. The token (any transport,
 * or a subprotocol) is checked before the upgrade, so a bad one gets HTTP 401 and no socket.
 * One socket per device session: a new one closes the old with 4000. `?since=<cursor>`
 * replays what the user missed, then goes live: live events that arrive during the replay
 * wait in a queue and are sent after it, skipping any the replay already sent.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { WebSocket } from 'ws';
import type { Config } from '../../config.js';
import type { Core } from '../../core/index.js';
import { forbidden, unauthenticated } from '../../errors.js';
import type { ChatEvent } from '../../ports/events.js';
import type { SessionRecord, UserRecord } from '../../ports/store.js';
import { CloseCode } from '../../realtime/close-codes.js';
import { FrameQueue } from '../../realtime/frame-queue.js';
import { FrameRate } from '../../realtime/frame-rate.js';
import { Registry } from '../../realtime/registry.js';
import { closeSocket, sendEvent, sendFrame } from '../../realtime/send.js';
import { originAllowed } from '../../realtime/upgrade.js';
import { MAX_RECORD_ID } from '../validation.js';
import { socketToken } from '../../edge/credentials.js';
import { runAction } from './socket.actions.js';
import { frameFor, systemFrame } from './socket.frames.js';

interface Connection {
  socket: WebSocket;
  user: UserRecord;
  session: SessionRecord;
  /** False while catching up: live events queue in `pending`. */
  live: boolean;
  pending: ChatEvent[];
  /** Live events at or below this cursor were already sent by the replay. */
  replayedThrough: number;
  frames: FrameQueue;
}

const SocketQuery = Type.Object({
  since: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_RECORD_ID, description: 'Replay events after this cursor, then go live' })),
  token: Type.Optional(Type.String()),
});

export async function nativeSocket(parent: FastifyInstance, options: { core: Core; publicUrl: string; realtime: Config['realtime'] }) {
  const { core, publicUrl, realtime } = options;
  const byUser = new Registry<number, Connection>();
  const bySession = new Map<string, Connection>();
  const send = (conn: Connection, data: string) => sendFrame(conn.socket, data, realtime.maxBufferedBytes);
  /** Events (not acks or system frames) are counted as delivered or dropped. */
  const sendChatEvent = (conn: Connection, event: ChatEvent) =>
    sendEvent(conn.socket, frameFor(event, conn.user.id, publicUrl), realtime.maxBufferedBytes, 'native', core.metrics);

  function deliver(conn: Connection, event: ChatEvent) {
    if (!conn.live) {
      conn.pending.push(event);
      return;
    }
    if (event.cursor !== undefined && event.cursor <= conn.replayedThrough) return;
    sendChatEvent(conn, event);
  }

  const unsubscribe = [
    core.ports.bus.subscribe('chat.event', (event) => {
      for (const userId of event.recipients) for (const conn of byUser.get(userId)) deliver(conn, event);
    }),
    // Revocation travels on the bus, so a logout on any node closes the sockets on every node.
    core.ports.bus.subscribe('sessions.revoked', ({ sessionIds }) => {
      for (const id of sessionIds) {
        const conn = bySession.get(id);
        if (conn) closeSocket(conn.socket, CloseCode.Revoked, 'session revoked');
      }
    }),
  ];
  parent.addHook('onClose', async () => {
    for (const stop of unsubscribe) stop();
  });

  async function catchUp(conn: Connection, since: number | undefined) {
    try {
      if (since !== undefined) {
        const missed = await core.eventLog.since(conn.user.id, since);
        if (missed.kind === 'resync') {
          send(conn, systemFrame('resync', { reason: missed.reason, cursor: missed.cursor }));
          conn.replayedThrough = missed.cursor;
        } else {
          for (const event of missed.events) sendChatEvent(conn, event);
          conn.replayedThrough = missed.events.at(-1)?.cursor ?? since;
        }
      }
      conn.live = true;
      for (const event of conn.pending.splice(0)) deliver(conn, event);
    } catch (error) {
      parent.log.error({ err: error }, 'socket catch-up failed');
      closeSocket(conn.socket, 1011, 'internal error');
    }
  }

  async function onFrame(conn: Connection, data: Buffer, isBinary: boolean) {
    if (isBinary) return closeSocket(conn.socket, CloseCode.UnsupportedData, 'frames are JSON text');
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString('utf8'));
    } catch {
      return closeSocket(conn.socket, CloseCode.InvalidPayload, 'frames are JSON');
    }
    const ack = await runAction(core, conn.user, frame, parent.log);
    send(conn, systemFrame('ack', ack));
  }

  function open(socket: WebSocket, request: FastifyRequest<{ Querystring: { since?: number } }>) {
    const { user, session } = request.auth;
    const frames = new FrameQueue((err) => parent.log.error({ err }, 'socket frame failed'));
    const conn: Connection = { socket, user, session, live: false, pending: [], replayedThrough: 0, frames };
    // Listeners first (the catch-up is async): frames that arrive meanwhile are not lost.
    const rate = new FrameRate(realtime.maxFramesPerSecond);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      // Frames still arriving after the close was sent are dropped unread.
      if (socket.readyState !== socket.OPEN) return;
      if (!rate.take()) return closeSocket(socket, CloseCode.PolicyViolation, 'too many frames per second');
      if (!frames.push(() => onFrame(conn, data, isBinary))) closeSocket(socket, CloseCode.PolicyViolation, 'too many frames at once');
    });
    core.metrics.socketOpened('native');
    socket.on('close', () => {
      core.metrics.socketClosed('native');
      byUser.remove(user.id, conn);
      if (bySession.get(session.id) === conn) bySession.delete(session.id);
    });
    const previous = bySession.get(session.id);
    if (previous) closeSocket(previous.socket, CloseCode.Replaced, 'a newer socket opened for this session');
    bySession.set(session.id, conn);
    byUser.add(user.id, conn);
    void catchUp(conn, request.query.since);
  }

  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  // Before the upgrade: refuse with HTTP (403, 401) rather than open a socket.
  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (!originAllowed(request, realtime.origins)) throw forbidden('This Origin may not open sockets here.');
    const token = socketToken(request);
    if (token === undefined) throw unauthenticated();
    request.auth = await core.sessions.authenticate(token);
    const { sessionId } = request.params as { sessionId?: string };
    if (sessionId !== undefined && sessionId !== request.auth.session.id) throw unauthenticated('The token belongs to another device session.');
    await recordPresence(request);
  });

  /**
   * Marks the session online (for push) before the upgrade answers, so a client that sees its
   * socket open is already known to be online on every node; the TCP socket's close (after
   * the WebSocket's, or a failed upgrade) takes the mark away.
   */
  async function recordPresence(request: FastifyRequest) {
    let id: string | undefined;
    try {
      id = await core.presence.connected(request.auth.session.id);
    } catch (error) {
      parent.log.warn({ err: error }, 'recording socket presence failed');
    }
    if (id === undefined) return;
    const forget = () => void core.presence.disconnected(id).catch((err) => parent.log.warn({ err }, 'removing socket presence failed'));
    if (request.raw.socket && !request.raw.socket.destroyed) request.raw.socket.once('close', forget);
    else forget();
  }
  const schema = { tags: ['realtime'], summary: 'Native WebSocket (upgrade): events of the caller, `?since=` to catch up', querystring: SocketQuery };
  app.get('/ws', { websocket: true, schema }, open);
  // Only a path that looks like a session id (a UUID) is this route: `/search` is a 404, not a 400.
  app.get('/:sessionId(^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)', { websocket: true, schema: { ...schema, params: Type.Object({ sessionId: Type.String({ format: 'uuid' }) }) } }, open);
}
