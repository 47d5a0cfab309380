/**
 * The native socket's frames: `{event, source, payload, cursor}` (SPEC 5). A frame is
 * serialised once per event and shared by every recipient on this node, except chat-level
 * events, whose ChatInfo carries each recipient's own flags (muted, archived, blocked).
 */
import type { ChatEvent } from '../../ports/events.js';
import { presentChat, presentMessage } from './chats.presenters.js';
import { presentUser } from './users.presenters.js';

const PER_RECIPIENT = new Set(['chatUpdate', 'addedUsers', 'removedUsers']);
const shared = new WeakMap<ChatEvent, string>();

function payloadOf(event: ChatEvent, recipientId: number, publicUrl: string): unknown {
  switch (event.kind) {
    case 'message':
    case 'messageUpdate':
    case 'messageRead':
      return presentMessage(event.message!, publicUrl);
    case 'chatUpdate':
    case 'addedUsers':
    case 'removedUsers': {
      // The unread count in the view is the actor's; a recipient asks GET /chats for theirs.
      const { unreadCount: _actors, ...chat } = presentChat(event.chat!, publicUrl, event.settingsByUser?.[recipientId]);
      return chat;
    }
    case 'chatCleared':
      return { chatId: event.chatId };
    case 'chatDeleted':
      // Upstream's web app reads `payload.id` (Public/app/js/ws.js:119-120); `chatId` stays for the seed's readers.
      return { id: event.chatId, chatId: event.chatId };
    case 'userUpdate':
      return presentUser(event.user!);
    case 'auxiliary':
      return { chatId: event.chatId, ...event.auxiliary };
  }
}

/** The serialised frame of `event` for `recipientId`. */
export function frameFor(event: ChatEvent, recipientId: number, publicUrl: string): string {
  const perRecipient = PER_RECIPIENT.has(event.kind);
  const cached = perRecipient ? undefined : shared.get(event);
  if (cached) return cached;
  const frame = JSON.stringify({
    event: event.kind,
    source: event.source === 'system' ? 'system' : String(event.source),
    payload: payloadOf(event, recipientId, publicUrl),
    ...(event.cursor === undefined ? {} : { cursor: event.cursor }),
  });
  if (!perRecipient) shared.set(event, frame);
  return frame;
}

/** A frame from the server itself (`ack`, `resync`), never stored, without a cursor. */
export const systemFrame = (event: 'ack' | 'resync', payload: unknown) => JSON.stringify({ event, source: 'system', payload });
