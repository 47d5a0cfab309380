/**
 * The room sockets in AsyncAPI 3 (edge/socket-docs.ts): the server sends each new message as a
 * JSON array of RoomMessage (the REST schema), a signed-in client posts `{text}`.
 */
import { Type } from 'typebox';
import { ROOM_NAME_PATTERN } from '../../core/rooms.service.js';
import { channelMessage, jsonSchema, ref, type SocketDocs } from '../../edge/socket-docs.js';
import { RoomMessage } from './rooms.schemas.js';

const DESCRIPTION = `A public room's messages as they are posted: each text frame is a JSON array of RoomMessage (oldest first).
With a token (the first subprotocol, echoed, or any other transport) a socket may post \`{"text": "…"}\` (1–2048 bytes); without one
it is read-only and any frame closes it with 1008. A malformed frame closes it with 1007; a revoked session with 4001. There are no
cursors: after a reconnect, GET /api/v1/messages?room=<room> (newest first, paged by its Link header) fills the gap.`;

const parameters = { room: { description: `The room's name (${ROOM_NAME_PATTERN}), created on first join` } };

/** The rooms family's part of /asyncapi.json. */
export function roomsSocketDocs(): SocketDocs {
  const messages = { roomMessages: ref('messages', 'roomMessages'), post: ref('messages', 'roomPost') };
  const channel = (address: string, title: string) => ({ address, title, description: DESCRIPTION, parameters, messages });
  return {
    channels: {
      room: channel('/api/v1/rooms/{room}/ws', 'Room socket'),
      roomMessagesSocket: channel('/api/v1/rooms/{room}/messages/ws', 'Room socket (the original frontend’s address)'),
    },
    operations: {
      receiveRoomMessages: {
        action: 'receive',
        channel: { $ref: '#/channels/room' },
        summary: 'New messages of the room',
        messages: [channelMessage('room', 'roomMessages')],
      },
      postToRoom: {
        action: 'send',
        channel: { $ref: '#/channels/room' },
        summary: 'Post a message (signed-in sockets only)',
        messages: [channelMessage('room', 'post')],
      },
    },
    components: {
      schemas: {
        RoomMessage: jsonSchema(RoomMessage),
        roomMessages: { type: 'array', items: ref('schemas', 'RoomMessage') },
        roomPost: jsonSchema(Type.Object({ text: Type.String({ minLength: 1, description: '1–2048 bytes of UTF-8' }) }, { additionalProperties: false })),
      },
      messages: {
        roomMessages: {
          name: 'messages',
          title: 'messages',
          summary: 'New messages, oldest first',
          contentType: 'application/json',
          payload: ref('schemas', 'roomMessages'),
        },
        roomPost: { name: 'post', title: 'post', summary: 'A message to post', contentType: 'application/json', payload: ref('schemas', 'roomPost') },
      },
    },
  };
}
