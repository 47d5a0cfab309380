/**
 * The native WebSocket (SPEC 5) at `/ws` and `/<DeviceSession.id>`. The token (any transport,
 * or a subprotocol) is checked before the upgrade, so a bad one gets HTTP 401 and no socket.
 * One socket per device session: a new one closes the old with 4000. `?since=<cursor>`
 * replays what the user missed, then goes live: live events that arrive during the replay
 * wait in a queue and are sent after it, skipping any the replay already sent. A replay reads
 * the log a page at a time and waits for the socket to drain (it never holds more than a
 * page), and replays take turns (realtime/replay-gate.ts). After a bus outage the socket
 * catches up the same way, from the newest cursor it had when the bus was lost, skipping the
 * events it was sent meanwhile (this node's own), so nothing is missed or sent twice.
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
import { ReplayGate } from '../../realtime/replay-gate.js';
import { closeSocket, drained, sendEvent, sendFrame } from '../../realtime/send.js';
import { refuseForeignOrigin, serveSocket, type SocketLimits } from '../../realtime/socket-route.js';
import { MAX_RECORD_ID } from '../validation.js';
import { socketToken } from '../../edge/credentials.js';
import { authenticateToken } from './auth.js';
import { abandonedAck } from './socket.abandoned.js';
import { runAction } from './socket.actions.js';
import { frameFor, presenceFrame, systemFrame } from './socket.frames.js';

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
  /** The newest cursor this socket was sent, or knew of when it opened. */
  deliveredThrough: number;
  /** While the bus is lost: where the catch-up will start, and the cursors sent meanwhile. */
  lost?: { from: number; sent: Set<number> };
  /** Catch-ups run one after another. */
  work: Promise<void>;
  /** The socket's presence row (undefined when recording it failed). */
  presenceId: string | undefined;
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
  realtime: SocketLimits & { maxBufferedBytes: number; replayConcurrency: number; replayPerUser: number };
}

export async function nativeSocket(parent: FastifyInstance, options: NativeSocketOptions) {
  const { core, publicUrl, realtime, hub } = options;
  /** Each upgrade's presence row, recorded before the upgrade answers. */
  const presenceIds = new WeakMap<FastifyRequest, string>();
  /** The scopes of sockets a bot's API key opened (others may do what their user may). */
  const keyScopes = new WeakMap<Connection, readonly string[]>();
  const send = (conn: Connection, data: string) => sendFrame(conn.socket, data, realtime.maxBufferedBytes);
  const gate = new ReplayGate(realtime.replayConcurrency, realtime.replayPerUser);
  /** A replay waits for the socket to drain below this before each frame. */
  const lowWater = Math.floor(realtime.maxBufferedBytes / 4);
  /** Events (not acks or system frames) are counted as delivered or dropped. */
  const sendChatEvent = (conn: Connection, event: ChatEvent) => {
    const sent = sendEvent(conn.socket, frameFor(event, conn.user.id, publicUrl), realtime.maxBufferedBytes, PROTOCOL, core.metrics);
    if (sent && event.cursor !== undefined) {
      if (event.cursor > conn.deliveredThrough) conn.deliveredThrough = event.cursor;
      conn.lost?.sent.add(event.cursor);
    }
    return sent;
  };

  function deliver(conn: Connection, event: ChatEvent) {
    if (!conn.live) {
      conn.pending.push(event);
      return;
    }
    if (event.cursor !== undefined && event.cursor <= conn.replayedThrough) return;
    sendChatEvent(conn, event);
  }

  const isOpen = (conn: Connection) => conn.socket.readyState === conn.socket.OPEN;

  /**
   * Sends what `conn`'s user missed after `since`, page by page, skipping cursors in `skip`;
   * false when the socket closed meanwhile.
   */
  async function replay(conn: Connection, since: number, skip?: Set<number>): Promise<boolean> {
    const release = await gate.enter(conn.user.id);
    try {
      if (!isOpen(conn)) return false;
      const missed = await core.eventLog.since(conn.user.id, since);
      if (missed.kind === 'resync') {
        send(conn, systemFrame('resync', { reason: missed.reason, cursor: missed.cursor }));
        conn.replayedThrough = Math.max(conn.replayedThrough, missed.cursor);
        conn.deliveredThrough = Math.max(conn.deliveredThrough, missed.cursor);
        return true;
      }
      for await (const page of missed.pages) {
        for (const event of page) {
          if (skip?.has(event.cursor!)) continue;
          await drained(conn.socket, lowWater);
          if (!isOpen(conn)) return false;
          sendChatEvent(conn, event);
        }
        // A page read from SQLite settles in microtasks: let HTTP requests and other sockets run.
        await new Promise((resolve) => setImmediate(resolve));
      }
      conn.replayedThrough = Math.max(conn.replayedThrough, missed.through);
      conn.deliveredThrough = Math.max(conn.deliveredThrough, missed.through);
      return true;
    } finally {
      release();
    }
  }

  /** Holds live events, replays from `since()` (if any), then sends what was held. */
  function catchUp(conn: Connection, since: () => { from: number; skip?: Set<number> } | undefined) {
    conn.work = conn.work.then(async () => {
      conn.live = false;
      try {
        const start = since();
        if (start !== undefined && !(await replay(conn, start.from, start.skip))) return;
        conn.live = true;
        for (const event of conn.pending.splice(0)) deliver(conn, event);
      } catch (error) {
        parent.log.error({ err: error }, 'socket catch-up failed');
        closeSocket(conn.socket, 1011, 'internal error');
      }
    });
  }

  /** The bus is back: catch up from where this socket was when it was lost. */
  function busBack(conn: Connection) {
    catchUp(conn, () => {
      const lost = conn.lost;
      conn.lost = undefined;
      return lost === undefined ? undefined : { from: lost.from, skip: lost.sent };
    });
  }

  async function onFrame(conn: Connection, data: Buffer, isBinary: boolean) {
    // Any frame the client sends is activity: an idle socket's user is online again.
    if (conn.presenceId !== undefined) core.presence.active(conn.presenceId);
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
      deliveredThrough: hub.newestCursor(),
      work: Promise.resolve(),
      presenceId: presenceIds.get(request),
      chatEvent: (event) => deliver(conn, event),
      // Volatile: sent when it happens (even during a catch-up), never queued or replayed.
      presence: (event) => void send(conn, presenceFrame(event)),
      close: (code, reason) => closeSocket(socket, code, reason),
      busLost: () => {
        conn.lost ??= { from: conn.deliveredThrough, sent: new Set() };
      },
      busBack: () => busBack(conn),
    };
    // Opened while the bus is lost: it catches up from the newest cursor heard before the loss.
    if (hub.busIsLost) conn.busLost!(hub.newestCursor());
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
    const { since } = request.query;
    catchUp(conn, () => (since === undefined ? undefined : { from: since }));
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
   * Marks the session online (for push and presence) before the upgrade answers, so a client
   * that sees its socket open is already known to be online on every node; the TCP socket's
   * close (after the WebSocket's, or a failed upgrade) takes the mark away.
   */
  async function recordPresence(request: FastifyRequest) {
    let id: string | undefined;
    try {
      id = await core.presence.connected(request.auth.session.id, request.auth.user.id);
      presenceIds.set(request, id);
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
