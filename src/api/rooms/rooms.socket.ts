/**
 * Room sockets at `/api/v1/rooms/<room>/messages/ws` (and `/api/v1/rooms/<room>/ws`). With a
 * token (first subprotocol, echoed, or any transport) a socket may post `{"text": "…"}`;
 * without one it is read-only and any frame closes it with 1008. Malformed frames close with
 * 1007. Every member gets each new message as a JSON array, serialised once per message.
 * The hub knows a token's socket by its device session, so the fan-out closes it with 4001
 * when that session is revoked, as it does native sockets; frames are read with backpressure.
 * After a bus outage a socket gets the room's messages it missed, from the history.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { WebSocket } from 'ws';
import type { Core } from '../../core/index.js';
import { profileOf, type Profile } from '../../core/profiles.js';
import { foldRoomName, ROOM_NAME_PATTERN } from '../../core/rooms.service.js';
import { AppError } from '../../errors.js';
import type { ChatRecord } from '../../ports/store.js';
import type { RoomMessage } from '../../ports/events.js';
import { CloseCode } from '../../realtime/close-codes.js';
import type { Hub, HubConnection } from '../../realtime/hub.js';
import { closeSocket, sendEvent } from '../../realtime/send.js';
import { refuseForeignOrigin, serveSocket, type SocketLimits } from '../../realtime/socket-route.js';
import { socketToken } from '../../edge/credentials.js';
import { findNul } from '../validation.js';
import { RoomDelivery } from './rooms.catch-up.js';

const PROTOCOL = 'rooms';

export interface RoomMember extends HubConnection {
  socket: WebSocket;
  /** The room, opened (created on first join) when the socket connected. */
  opened: Promise<ChatRecord>;
  /** Undefined for an anonymous, read-only reader. */
  user: Profile | undefined;
}

/** The signed-in users with a room socket on `room` (a folded name) on this node, each once, in join order. */
export function roomMembers(hub: Hub, room: string): Profile[] {
  const users = new Map<number, Profile>();
  for (const conn of hub.inRoom(room)) {
    const user = conn.protocol === PROTOCOL ? (conn as RoomMember).user : undefined;
    if (user && !users.has(user.id)) users.set(user.id, user);
  }
  return [...users.values()];
}

declare module 'fastify' {
  interface FastifyRequest {
    roomUser?: Profile;
    /** The device session of the room socket's token (its revocation closes the socket). */
    roomSessionId?: string;
    /** The room of a room socket, opened (created on first join) before the upgrade completes. */
    roomOpened?: ChatRecord;
  }
}

/** Each room message serialised once, whichever of this node's sockets it goes to. */
const frames = new WeakMap<RoomMessage, string>();
function frameOf(message: RoomMessage): string {
  let frame = frames.get(message);
  if (frame === undefined) frames.set(message, (frame = JSON.stringify([message])));
  return frame;
}

export interface RoomsSocketOptions {
  core: Core;
  /** The app's hub: the fan-out delivers room messages and revocations through it. */
  hub: Hub;
  realtime: SocketLimits & { maxBufferedBytes: number };
}

export async function roomsSocket(parent: FastifyInstance, options: RoomsSocketOptions) {
  const { core, hub, realtime } = options;

  async function onFrame(member: RoomMember, data: Buffer, isBinary: boolean) {
    if (!member.user) return closeSocket(member.socket, CloseCode.PolicyViolation, 'read-only: log in to post');
    let text: unknown;
    try {
      if (isBinary) throw new Error('binary');
      text = (JSON.parse(data.toString('utf8')) as { text?: unknown })?.text;
    } catch {
      return closeSocket(member.socket, CloseCode.InvalidPayload, 'frames are {"text": "…"}');
    }
    if (typeof text !== 'string') return closeSocket(member.socket, CloseCode.InvalidPayload, 'frames are {"text": "…"}');
    if (findNul(text) !== undefined) return closeSocket(member.socket, CloseCode.InvalidPayload, 'text must not contain the NUL character');
    try {
      await core.rooms.post(member.user, await member.opened, text);
    } catch (error) {
      if (error instanceof AppError && error.code === 'validation') return closeSocket(member.socket, CloseCode.InvalidPayload, error.message);
      // Past the send limit: the post is dropped and the socket stays open (the rooms wire has no error frame).
      if (error instanceof AppError && error.code === 'rate_limited') return;
      parent.log.error({ err: error }, 'room post failed');
      closeSocket(member.socket, 1011, 'internal error');
    }
  }

  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', async (request: FastifyRequest) => {
    refuseForeignOrigin(request, realtime.origins);
    const token = socketToken(request);
    // No token: a read-only reader. A token that fails is refused, not silently downgraded.
    if (token !== undefined) {
      const { user, session } = await core.sessions.authenticate(token);
      request.roomUser = profileOf(user);
      request.roomSessionId = session.id;
    }
    // Rooms are created on first join, before the socket opens: once a client sees its socket
    // open, the room is there for everyone (GET /api/v1/rooms/<room> no longer 404s). A store
    // that fails here refuses the upgrade with the family's error (503 when it is down).
    request.roomOpened = await core.rooms.openRoom(foldRoomName((request.params as { room: string }).room), request.roomUser);
  });

  function open(socket: WebSocket, request: FastifyRequest<{ Params: { room: string } }>) {
    const room = foldRoomName(request.params.room);
    // Opened in the preHandler above, before the upgrade.
    const opened = request.roomOpened ? Promise.resolve(request.roomOpened) : core.rooms.openRoom(room, request.roomUser);
    const member: RoomMember = {
      protocol: PROTOCOL,
      userId: request.roomUser?.id,
      sessionId: request.roomSessionId,
      room,
      socket,
      opened,
      user: request.roomUser,
      roomMessage: (message) => delivery.message(message),
      close: (code, reason) => closeSocket(socket, code, reason),
      busLost: () => delivery.busLost(),
      busBack: () => delivery.busBack(),
    };
    // Live messages, and what the socket missed while the bus was lost (rooms.catch-up.ts).
    const delivery = new RoomDelivery({
      history: (count) => core.rooms.history(room, count, undefined),
      send: (messages) =>
        sendEvent(socket, messages.length === 1 ? frameOf(messages[0]!) : JSON.stringify(messages), realtime.maxBufferedBytes, PROTOCOL, core.metrics),
      onError: (err) => parent.log.warn({ err, room }, 'catching a room socket up after a bus outage failed'),
    });
    if (hub.busIsLost) delivery.busLost();
    serveSocket(socket, member, (data, isBinary) => onFrame(member, data, isBinary), {
      hub,
      server: parent.websocketServer,
      metrics: core.metrics,
      limits: realtime,
      log: parent.log,
      // Rooms frames have no acks: one abandoned at shutdown is simply not posted.
    });
    opened.catch((err) => {
      parent.log.error({ err }, 'opening a room failed');
      closeSocket(socket, 1011, 'internal error');
    });
  }

  const schema = {
    tags: ['rooms'],
    summary: 'Room socket (upgrade); read-only without a token',
    params: Type.Object({ room: Type.String({ pattern: ROOM_NAME_PATTERN }) }),
  };
  app.get('/rooms/:room/messages/ws', { websocket: true, schema }, open);
  app.get('/rooms/:room/ws', { websocket: true, schema }, open);
}
