/**
 * Acting over the native socket: `send`, `read` and `notify` go through the same core
 * services as REST (same validation, same idempotency). Every action frame is answered with
 * exactly one `ack` saying what happened: `ok: true` (with the message's id and seq for a
 * send), or `ok: false` with the error's code (`validation`, `not_found`, `forbidden`,
 * `rate_limited`…, `internal` for a failure of ours) and a message. Frames are never dropped
 * for arriving fast (the reader slows the socket down instead), so a client can count on it.
 */
import type { FastifyBaseLogger } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Core } from '../../core/index.js';
import { profileOf } from '../../core/profiles.js';
import { AppError } from '../../errors.js';
import { outageOf } from '../../edge/outages.js';
import type { UserRecord } from '../../ports/store.js';
import { compileStrict, findNul } from '../validation.js';
import { MessageId, NotifyBody, SendBody } from './chats.schemas.js';

const ChatId = Type.String({ format: 'uuid' });
const RequestId = Type.Optional(Type.String({ maxLength: 128, description: 'Echoed in the ack' }));

export const SocketAction = Type.Union([
  Type.Intersect([Type.Object({ action: Type.Literal('send'), chatId: ChatId, requestId: RequestId }), SendBody]),
  Type.Object({ action: Type.Literal('read'), chatId: ChatId, messageId: MessageId, requestId: RequestId }),
  Type.Object({ action: Type.Literal('delivered'), chatId: ChatId, messageId: MessageId, requestId: RequestId }),
  Type.Intersect([Type.Object({ action: Type.Literal('notify'), chatId: ChatId, requestId: RequestId }), NotifyBody]),
]);
export type SocketAction = Static<typeof SocketAction>;

const isAction = compileStrict<SocketAction>(SocketAction);

/** The answer to one action frame. */
export interface Ack {
  ok: boolean;
  /** The action answered, when the frame named a known one. */
  action?: SocketAction['action'];
  localId?: string;
  requestId?: string;
  /** The message's id (its UUID, as in MessageInfo). */
  messageId?: string;
  seq?: number;
  error?: string;
  message?: string;
  /** With `error: "rate_limited"`: seconds until sending is allowed again (the socket stays open). */
  retryAfter?: number;
}

/** The API-key scope each action needs, as its REST twin (`POST /chats/:id/messages`, `…/read`, `/chats/:id/notify`). */
const ACTION_SCOPES = { send: 'messages:write', read: 'messages:write', delivered: 'messages:write', notify: 'chats:write' } as const;

/**
 * Runs one parsed frame for `user`; never throws (failures become `ok: false`). `scopes`: a
 * bot's API key's, which must hold the action's scope.
 */
export async function runAction(core: Core, user: UserRecord, frame: unknown, log: FastifyBaseLogger, scopes?: readonly string[]): Promise<Ack> {
  const named = (frame as { action?: unknown } | null)?.action;
  const action = named === 'send' || named === 'read' || named === 'delivered' || named === 'notify' ? (named as SocketAction['action']) : undefined;
  const echo = {
    ...(action === undefined ? {} : { action }),
    ...(typeof (frame as SocketAction)?.requestId === 'string' ? { requestId: (frame as SocketAction).requestId! } : {}),
    ...(typeof (frame as { localId?: unknown })?.localId === 'string' ? { localId: (frame as { localId: string }).localId } : {}),
  };
  const nul = findNul(frame);
  if (nul !== undefined) return { ...echo, ok: false, error: 'validation', message: `${nul} must not contain the NUL character (U+0000).` };
  if (!isAction(frame)) {
    return {
      ...echo,
      ok: false,
      error: 'validation',
      message: 'Expected {action: "send", chatId, localId, text} or {action: "read" | "delivered", chatId, messageId} or {action: "notify", chatId, name}.',
    };
  }
  const needed = ACTION_SCOPES[frame.action];
  if (scopes && !scopes.includes(needed)) return { ...echo, ok: false, error: 'forbidden', message: `This API key lacks the scope ${needed}.` };
  const actor = profileOf(user);
  try {
    switch (frame.action) {
      case 'send': {
        const view = await core.messages.sendMessage(actor, frame.chatId, frame);
        return { ...echo, ok: true, messageId: view.message.uuid, seq: view.message.seq };
      }
      case 'delivered': {
        const view = await core.messages.deliverMessage(actor, frame.chatId, frame.messageId);
        return { ...echo, ok: true, messageId: view.message.uuid };
      }
      case 'read': {
        const view = await core.messages.readMessage(actor, frame.chatId, frame.messageId);
        return { ...echo, ok: true, messageId: view.message.uuid };
      }
      case 'notify':
        await core.messages.notify(actor, frame.chatId, frame);
        return { ...echo, ok: true };
    }
  } catch (error) {
    if (error instanceof AppError) {
      const retryAfter = error.details.retryAfterSeconds;
      return { ...echo, ok: false, error: error.code, message: error.message, ...(retryAfter === undefined ? {} : { retryAfter }) };
    }
    // The database down or the disk full: the ack says so (`unavailable`, `insufficient_storage`), as HTTP says 503/507.
    const outage = outageOf(error);
    if (outage) {
      log.warn({ err: error }, 'socket action failed: a dependency is unavailable');
      return { ...echo, ok: false, error: outage.code, message: outage.message };
    }
    log.error({ err: error }, 'socket action failed');
    return { ...echo, ok: false, error: 'internal', message: 'Something went wrong on our side.' };
  }
}
