/**
 * The native socket (`/ws`) in AsyncAPI 3 (edge/socket-docs.ts): every event frame and its
 * payload, every action and its ack, the cursor and `?since=` replay, and the close codes.
 * Payloads are the REST schemas themselves (MessageInfo, ChatInfo, UserInfo), so the two
 * documents cannot drift apart.
 */
import { Type } from 'typebox';
import { channelMessage, jsonSchema, ref, type Json, type SocketDocs } from '../../edge/socket-docs.js';
import { CLOSE_CODE_DOCS } from '../../realtime/close-codes.js';
import { ChatInfo, MessageInfo } from './chats.schemas.js';
import { PresenceInfo } from './presence.routes.js';
import { UserInfo } from './users.schemas.js';
import { SocketAction } from './socket.actions.js';

const CHANNEL = 'native';
const ChatId = Type.Object({ chatId: Type.String({ format: 'uuid' }) });
const { unreadCount: _unread, ...socketChat } = ChatInfo.properties;

/** The payload schema of each event the server sends, by event name. */
const EVENTS: Record<string, { summary: string; payload: unknown; stored: boolean }> = {
  message: { summary: 'A new message in one of the caller’s chats', payload: MessageInfo, stored: true },
  messageUpdate: { summary: 'A message was edited, deleted (a tombstone), reacted to or pinned', payload: MessageInfo, stored: true },
  messageRead: { summary: 'A member read up to this message', payload: MessageInfo, stored: true },
  messageDelivered: {
    summary: 'A device of another member received the author’s message',
    payload: Type.Object({ chatId: Type.String({ format: 'uuid' }), messageId: Type.String({ format: 'uuid' }), userId: Type.Integer() }),
    stored: true,
  },
  chatUpdate: {
    summary: 'A chat’s title, images, settings or pins changed (ChatInfo with the recipient’s own flags, no unreadCount)',
    payload: Type.Object(socketChat),
    stored: true,
  },
  addedUsers: { summary: 'Users were added to the chat (or the caller was)', payload: Type.Object(socketChat), stored: true },
  removedUsers: { summary: 'Users were removed from the chat or left it', payload: Type.Object(socketChat), stored: true },
  chatCleared: { summary: 'The chat’s history was cleared for everyone', payload: ChatId, stored: true },
  chatDeleted: {
    summary: 'The chat was deleted (`id` too, for upstream’s web app)',
    payload: Type.Object({ id: Type.String(), chatId: Type.String() }),
    stored: true,
  },
  userUpdate: { summary: 'A user the caller shares a chat with changed their profile', payload: UserInfo, stored: true },
  auxiliary: {
    summary: 'Typing and other volatile signals (POST /chats/<id>/notify or the notify action); never stored, no cursor',
    payload: Type.Object({
      chatId: Type.String(),
      name: Type.String(),
      text: Type.Optional(Type.String()),
      realm: Type.Optional(Type.String()),
      data: Type.Optional(Type.Unknown()),
    }),
    stored: false,
  },
  presence: {
    summary: 'A user the caller sees changed presence (volatile: no cursor, not replayed; GET /users/presence is the snapshot)',
    payload: PresenceInfo,
    stored: false,
  },
};

const Ack = Type.Object(
  {
    ok: Type.Boolean(),
    action: Type.Optional(Type.Union([Type.Literal('send'), Type.Literal('read'), Type.Literal('delivered'), Type.Literal('notify')])),
    localId: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String({ description: 'The action’s requestId, echoed' })),
    messageId: Type.Optional(Type.String({ format: 'uuid' })),
    seq: Type.Optional(Type.Integer()),
    error: Type.Optional(
      Type.String({ description: 'On ok: false — validation, not_found, forbidden, rate_limited, unavailable, insufficient_storage, internal…' }),
    ),
    message: Type.Optional(Type.String()),
  },
  { description: 'Exactly one per action frame' },
);
const Resync = Type.Object({ reason: Type.String(), cursor: Type.Integer({ description: 'Go on from here; fetch the chats again first' }) });

/** A frame as it travels: `{event, source, payload, cursor?}`. */
const frame = (event: string, payload: unknown, cursor: boolean): Json => ({
  type: 'object',
  required: ['event', 'source', 'payload', ...(cursor ? ['cursor'] : [])],
  additionalProperties: false,
  properties: {
    event: { const: event },
    source: { type: 'string', description: 'The acting user’s id, or "system"' },
    payload: jsonSchema(payload),
    ...(cursor
      ? { cursor: { type: 'integer', minimum: 1, description: 'The event’s place in the caller’s log: reconnect with ?since=<the last one seen>' } }
      : {}),
  },
});

const ACTIONS: Record<string, string> = {
  send: 'Send a message (as POST /chats/<id>/messages; idempotent by localId)',
  read: 'Mark this and every earlier message read (as PUT …/read)',
  delivered: 'A device of the caller received the message (as PUT …/delivered)',
  notify: 'An auxiliary event (typing…) to the other members (as POST /chats/<id>/notify)',
};
const actionSchema = (name: string): Json => {
  const variant = (SocketAction.anyOf as unknown[]).find((s) => JSON.stringify(s).includes(`"const":"${name}"`));
  return jsonSchema(variant);
};

const DESCRIPTION = `The caller's events as JSON text frames \`{event, source, payload, cursor}\`. Connect with a token: the first
subprotocol (browsers), \`Authorization: Bearer\`, \`x-access-token\` or \`?token=\`; a bad one is refused with HTTP 401 before the
upgrade. One socket per device session (a newer one closes the older with 4000).

**Cursors and replay.** Every stored event (all but \`auxiliary\`, \`presence\`, \`ack\` and \`resync\`) carries \`cursor\`, its id in the caller's
event log, increasing. Reconnect with \`?since=<the last cursor seen>\`: the events after it are replayed in order, then the socket
goes live; nothing is missed or sent twice. When the cursor is older than the log keeps, the server sends \`resync\` with a fresh
cursor: fetch the chats (GET /chats) again, then go on from it.

**Actions.** A client may send \`send\`, \`read\`, \`delivered\` and \`notify\` frames; each is answered by exactly one \`ack\` (with its
\`requestId\` echoed). Frames are never dropped for arriving fast: the server reads slower instead.

**Close codes.** ${Object.entries(CLOSE_CODE_DOCS)
  .map(([code, d]) => `${code} ${d.name}: ${d.meaning}${d.reconnect ? '' : ' (do not reconnect)'}`)
  .join('; ')}.`;

/** The native family's part of /asyncapi.json. */
export function nativeSocketDocs(): SocketDocs {
  const messages: Record<string, Json> = {};
  const schemas: Record<string, Json> = {};
  for (const [event, { summary, payload, stored }] of Object.entries(EVENTS)) {
    schemas[`${event}Frame`] = frame(event, payload, stored);
    messages[event] = { name: event, title: event, summary, contentType: 'application/json', payload: ref('schemas', `${event}Frame`) };
  }
  schemas.ackFrame = frame('ack', Ack, false);
  messages.ack = { name: 'ack', title: 'ack', summary: 'The answer to one action', contentType: 'application/json', payload: ref('schemas', 'ackFrame') };
  schemas.resyncFrame = frame('resync', Resync, false);
  messages.resync = {
    name: 'resync',
    title: 'resync',
    summary: 'The `since` cursor was too old: fetch the chats again, go on from `cursor`',
    contentType: 'application/json',
    payload: ref('schemas', 'resyncFrame'),
  };
  for (const [action, summary] of Object.entries(ACTIONS)) {
    schemas[`${action}Action`] = actionSchema(action);
    messages[`${action}Action`] = { name: action, title: action, summary, contentType: 'application/json', payload: ref('schemas', `${action}Action`) };
  }
  const channelMessages = Object.fromEntries(Object.keys(messages).map((name) => [name, ref('messages', name)]));
  const events = [...Object.keys(EVENTS), 'resync'];
  return {
    channels: {
      [CHANNEL]: {
        address: '/ws',
        title: 'Native socket',
        description: DESCRIPTION,
        messages: channelMessages,
        bindings: {
          ws: {
            bindingVersion: '0.1.0',
            method: 'GET',
            query: { type: 'object', properties: { since: { type: 'integer', minimum: 0, description: 'Replay the events after this cursor, then go live' } } },
          },
        },
        'x-parley-close-codes': CLOSE_CODE_DOCS,
      },
    },
    operations: {
      receiveNativeEvents: {
        action: 'receive',
        channel: { $ref: `#/channels/${CHANNEL}` },
        summary: 'The events of the caller’s chats and contacts, in cursor order',
        messages: events.map((e) => channelMessage(CHANNEL, e)),
      },
      ...Object.fromEntries(
        Object.entries(ACTIONS).map(([action, summary]) => [
          `${action}Action`,
          {
            action: 'send',
            channel: { $ref: `#/channels/${CHANNEL}` },
            summary,
            messages: [channelMessage(CHANNEL, `${action}Action`)],
            reply: { channel: { $ref: `#/channels/${CHANNEL}` }, messages: [channelMessage(CHANNEL, 'ack')] },
          },
        ]),
      ),
    },
    components: { schemas, messages },
  };
}
