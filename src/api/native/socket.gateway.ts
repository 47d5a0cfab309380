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
import type { Core } from '../../core/index.js';
import { unauthenticated } from '../../errors.js';
import type { ChatEvent } from '../../ports/events.js';
import type { SessionRecord, UserRecord } from '../../ports/store.js';
import { CloseCode } from '../../realtime/close-codes.js';
import type { Hub, HubConnection } from '../../realtime/hub.js';
import { closeSocket, sendEvent, sendFrame } from '../../realtime/send.js';
import { refuseForeignOrigin, serveSocket, type SocketLimits } from '../../realtime/socket-route.js';
import { MAX_RECORD_ID } from '../validation.js';
import { socketToken } from '../../edge/credentials.js';
import { authenticateToken } from './auth.js';
import { abandonedAck } from './socket.abandoned.js';
import { runAction } from './socket.actions.js';
import { frameFor, systemFrame } from './socket.frames.js';

const PROTOCOL = 'native';

interface Connection extends HubConnection {
  socket: WebSocket;
  user: UserRecord;
  session: SessionRecord;
  /** False while catching up: live events queue in `pending`. */
  live: boolean;
  pending: ChatEvent[];
  /** Live events at or below this cursor were already sent by the replay. */
  replayedThrough: number;
}

const SocketQuery = Type.Object({
  since: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_RECORD_ID, description: 'Replay events after this cursor, then go live' })),
  token: Type.Optional(Type.String()),
});

export interface NativeSocketOptions {
  core: Core;
  publicUrl: string;
  /** The app's hub: the fan-out delivers chat events and revocations through it. */
  hub: Hub;
  realtime: SocketLimits & { maxBufferedBytes: number };
}

export async function nativeSocket(parent: FastifyInstance, options: NativeSocketOptions) {
  const { core, publicUrl, realtime, hub } = options;
  /** The scopes of sockets a bot's API key opened (others may do what their user may). */
  const keyScopes = new WeakMap<Connection, readonly string[]>();
  const send = (conn: Connection, data: string) => sendFrame(conn.socket, data, realtime.maxBufferedBytes);
  /** Events (not acks or system frames) are counted as delivered or dropped. */
  const sendChatEvent = (conn: Connection, event: ChatEvent) =>
    sendEvent(conn.socket, frameFor(event, conn.user.id, publicUrl), realtime.maxBufferedBytes, PROTOCOL, core.metrics);

  function deliver(conn: Connection, event: ChatEvent) {
    if (!conn.live) {
      conn.pending.push(event);
      return;
    }
    if (event.cursor !== undefined && event.cursor <= conn.replayedThrough) return;
    sendChatEvent(conn, event);
  }

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
    const ack = await runAction(core, conn.user, frame, parent.log, keyScopes.get(conn));
    send(conn, systemFrame('ack', ack));
  }

  function open(socket: WebSocket, request: FastifyRequest<{ Querystring: { since?: number } }>) {
    const { user, session, scopes } = request.auth;
    const conn: Connection = {
      protocol: PROTOCOL,
      userId: user.id,
      sessionId: session.id,
      socket,
      user,
      session,
      live: false,
      pending: [],
      replayedThrough: 0,
      chatEvent: (event) => deliver(conn, event),
      close: (code, reason) => closeSocket(socket, code, reason),
    };
    if (scopes) keyScopes.set(conn, scopes);
    // One native socket per device session (the session's room sockets are not affected).
    for (const previous of hub.ofSession(session.id)) {
      if (previous.protocol === PROTOCOL) previous.close(CloseCode.Replaced, 'a newer socket opened for this session');
    }
    // Listeners first (the catch-up is async): frames that arrive meanwhile are not lost.
    serveSocket(socket, conn, (data, isBinary) => onFrame(conn, data, isBinary), {
      hub,
      server: parent.websocketServer,
      metrics: core.metrics,
      limits: realtime,
      log: parent.log,
      // Read but not run because the server is shutting down: the client is told to send it again.
      abandoned: (data) => send(conn, abandonedAck(data)),
    });
    void catchUp(conn, request.query.since);
  }

  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  // Before the upgrade: refuse with HTTP (403, 401) rather than open a socket.
  app.addHook('preHandler', async (request: FastifyRequest) => {
    refuseForeignOrigin(request, realtime.origins);
    const token = socketToken(request);
    if (token === undefined) throw unauthenticated();
    request.auth = await authenticateToken(core, token, () => 'events:read');
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
  const bySession = { websocket: true, schema: { ...schema, params: Type.Object({ sessionId: Type.String({ format: 'uuid' }) }) } } as const;
  // Upstream's web app opens `/ws/<DeviceSession.id>?token=…` (Public/app/js/ws.js:16).
  app.get('/ws/:sessionId', bySession, open);
  // Only a path that looks like a session id (a UUID) is this route: `/search` is a 404, not a 400.
  app.get(
    '/:sessionId(^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)',
    { websocket: true, schema: { ...schema, params: Type.Object({ sessionId: Type.String({ format: 'uuid' }) }) } },
    open,
  );
}
