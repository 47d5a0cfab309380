/**
 * Room sockets at `/api/v1/rooms/<room>/messages/ws` (and `/api/v1/rooms/<room>/ws`). With a
 * token (first subprotocol, echoed, or any transport) a socket may post `{"text": "…"}`;
 * without one it is read-only and any frame closes it with 1008. Malformed frames close with
 * 1007. Every member gets each new message as a JSON array, serialised once per message.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { WebSocket } from 'ws';
import type { Config } from '../../config.js';
import type { Core } from '../../core/index.js';
import { profileOf, type Profile } from '../../core/profiles.js';
import { foldRoomName, ROOM_NAME_PATTERN } from '../../core/rooms.service.js';
import { AppError, forbidden } from '../../errors.js';
import type { ChatRecord } from '../../ports/store.js';
import { CloseCode } from '../../realtime/close-codes.js';
import { FrameQueue } from '../../realtime/frame-queue.js';
import { FrameRate } from '../../realtime/frame-rate.js';
import type { Registry } from '../../realtime/registry.js';
import { closeSocket, sendEvent } from '../../realtime/send.js';
import { originAllowed } from '../../realtime/upgrade.js';
import { socketToken } from '../../edge/credentials.js';
import { findNul } from '../validation.js';

export interface RoomMember {
  socket: WebSocket;
  /** The room, opened (created on first join) when the socket connected. */
  room: Promise<ChatRecord>;
  /** Undefined for an anonymous, read-only reader. */
  user: Profile | undefined;
  frames: FrameQueue;
}

declare module 'fastify' {
  interface FastifyRequest {
    roomUser?: Profile;
  }
}

export async function roomsSocket(parent: FastifyInstance, options: { core: Core; members: Registry<string, RoomMember>; realtime: Config['realtime'] }) {
  const { core, members, realtime } = options;

  const stop = core.ports.bus.subscribe('room.message', ({ room, message }) => {
    const listeners = members.get(room);
    if (listeners.size === 0) return;
    const frame = JSON.stringify([message]);
    for (const member of listeners) sendEvent(member.socket, frame, realtime.maxBufferedBytes, 'rooms', core.metrics);
  });
  parent.addHook('onClose', async () => stop());

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
      await core.rooms.post(member.user, await member.room, text);
    } catch (error) {
      if (error instanceof AppError && error.code === 'validation') return closeSocket(member.socket, CloseCode.InvalidPayload, error.message);
      parent.log.error({ err: error }, 'room post failed');
      closeSocket(member.socket, 1011, 'internal error');
    }
  }

  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (!originAllowed(request, realtime.origins)) throw forbidden('This Origin may not open sockets here.');
    const token = socketToken(request);
    // No token: a read-only reader. A token that fails is refused, not silently downgraded.
    if (token !== undefined) request.roomUser = profileOf((await core.sessions.authenticate(token)).user);
  });

  function open(socket: WebSocket, request: FastifyRequest<{ Params: { room: string } }>) {
    const room = foldRoomName(request.params.room);
    // Rooms are created on first join.
    const opened = core.rooms.openRoom(room, request.roomUser);
    const frames = new FrameQueue((err) => parent.log.error({ err }, 'room frame failed'));
    const member: RoomMember = { socket, user: request.roomUser, room: opened, frames };
    const rate = new FrameRate(realtime.maxFramesPerSecond);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      // Frames still arriving after the close was sent are dropped unread.
      if (socket.readyState !== socket.OPEN) return;
      if (!rate.take()) return closeSocket(socket, CloseCode.PolicyViolation, 'too many frames per second');
      if (!frames.push(() => onFrame(member, data, isBinary))) closeSocket(socket, CloseCode.PolicyViolation, 'too many frames at once');
    });
    core.metrics.socketOpened('rooms');
    socket.on('close', () => {
      core.metrics.socketClosed('rooms');
      members.remove(room, member);
    });
    members.add(room, member);
    opened.catch((err) => {
      parent.log.error({ err }, 'opening a room failed');
      closeSocket(socket, 1011, 'internal error');
    });
  }

  const schema = { tags: ['rooms'], summary: 'Room socket (upgrade); read-only without a token', params: Type.Object({ room: Type.String({ pattern: ROOM_NAME_PATTERN }) }) };
  app.get('/rooms/:room/messages/ws', { websocket: true, schema }, open);
  app.get('/rooms/:room/ws', { websocket: true, schema }, open);
}
