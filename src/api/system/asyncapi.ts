/**
 * The AsyncAPI 3 document of every family's sockets, served at `/asyncapi.json` (linked from
 * `/docs`): the families' parts (edge/socket-docs.ts) merged under one server.
 */
import type { Json, SocketDocs } from '../../edge/socket-docs.js';

export const ASYNCAPI_VERSION = '3.1.0';

/** The document for a server at `publicUrl` with the families' `parts`. */
export function asyncApiDocument(publicUrl: string, parts: SocketDocs[]): Json {
  const url = new URL(publicUrl);
  const merged: SocketDocs = { channels: {}, operations: {}, components: { schemas: {}, messages: {} } };
  for (const part of parts) {
    Object.assign(merged.channels, part.channels);
    Object.assign(merged.operations, part.operations);
    Object.assign(merged.components.schemas!, part.components.schemas);
    Object.assign(merged.components.messages!, part.components.messages);
  }
  const channels = Object.fromEntries(Object.entries(merged.channels).map(([id, channel]) => [id, { ...channel, servers: [{ $ref: '#/servers/parley' }] }]));
  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: 'Parley sockets',
      version: '0.1.0',
      description:
        'The WebSocket protocols of Parley: the native socket (events of the caller’s chats, actions with acks, cursors and replay) and the rooms API’s room sockets. The HTTP API is at /openapi.json.',
    },
    defaultContentType: 'application/json',
    servers: {
      parley: {
        host: url.host,
        ...(url.pathname.length > 1 ? { pathname: url.pathname.replace(/\/$/, '') } : {}),
        protocol: url.protocol === 'https:' ? 'wss' : 'ws',
        description: 'This server (PUBLIC_URL)',
      },
    },
    channels,
    operations: merged.operations,
    components: merged.components,
  };
}
