/**
 * A family's part of the AsyncAPI 3 document at `/asyncapi.json`: its socket channels, the
 * operations on them (what the server sends, what a client may send and what answers it), and
 * the messages and schemas they name. `app.ts` merges every family's part into one document
 * (src/api/system/asyncapi.ts); a family owns only its own channels.
 */

/** JSON, as the AsyncAPI document holds it. */
export type Json = Record<string, unknown>;

export interface SocketDocs {
  /** Channel id → AsyncAPI Channel Object (address, messages, parameters, bindings). */
  channels: Record<string, Json>;
  /** Operation id → AsyncAPI Operation Object (`send` is a client's action, `receive` what the server sends). */
  operations: Record<string, Json>;
  /** Component schemas and messages the channels `$ref`. */
  components: { schemas?: Record<string, Json>; messages?: Record<string, Json> };
}

/** A plain-JSON copy of a (TypeBox) schema, for the document. */
export const jsonSchema = (schema: unknown): Json => JSON.parse(JSON.stringify(schema)) as Json;

/** `{$ref}` to a component message or schema. */
export const ref = (kind: 'messages' | 'schemas', name: string) => ({ $ref: `#/components/${kind}/${name}` });

/** `{$ref}` to a message of a channel (operations name their messages so). */
export const channelMessage = (channel: string, name: string) => ({ $ref: `#/channels/${channel}/messages/${name}` });
