/**
 * The native socket's frames: `{event, source, payload, cursor}` (SPEC 5). A frame is
 * serialised once per event and shared by every recipient on this node, except chat-level
 * events, whose ChatInfo carries each recipient's own flags (muted, archived, blocked).
 */
import type { ChatEvent, PresenceView } from '../../ports/events.js';
import { presentChat, presentMessage } from './chats.presenters.js';
import { iso, presentUser } from './users.presenters.js';

const PER_RECIPIENT = new Set(['chatUpdate', 'addedUsers', 'removedUsers']);
const shared = new WeakMap<ChatEvent, string>();
/** Frames of a message with reactions: one per set of reactions the recipient took part in. */
const byReactions = new WeakMap<ChatEvent, Map<string, string>>();

/** Which reactions of the event's message `recipientId` is among (their `me` flags), or undefined when none has any. */
function reactionMask(event: ChatEvent, recipientId: number): string | undefined {
  const reactions = event.message?.reactions;
  if (!reactions || reactions.length === 0) return undefined;
  return reactions.map((r) => (r.userIds.includes(recipientId) ? '1' : '0')).join('');
}

function payloadOf(event: ChatEvent, recipientId: number, publicUrl: string): unknown {
  switch (event.kind) {
    case 'message':
    case 'messageUpdate':
    case 'messageRead':
      return presentMessage(event.message!, publicUrl, recipientId);
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
    case 'messageDelivered':
      return { chatId: event.chatId, ...event.delivered };
    case 'auxiliary':
      return { chatId: event.chatId, ...event.auxiliary };
  }
}

/** The serialised frame of `event` for `recipientId`. */
export function frameFor(event: ChatEvent, recipientId: number, publicUrl: string): string {
  const perRecipient = PER_RECIPIENT.has(event.kind);
  const mask = perRecipient ? undefined : reactionMask(event, recipientId);
  if (mask !== undefined) {
    let frames = byReactions.get(event);
    if (!frames) byReactions.set(event, (frames = new Map()));
    const known = frames.get(mask);
    if (known) return known;
    const frame = serialise(event, recipientId, publicUrl);
    frames.set(mask, frame);
    return frame;
  }
  const cached = perRecipient ? undefined : shared.get(event);
  if (cached) return cached;
  const frame = serialise(event, recipientId, publicUrl);
  if (!perRecipient) shared.set(event, frame);
  return frame;
}

function serialise(event: ChatEvent, recipientId: number, publicUrl: string): string {
  return JSON.stringify({
    event: event.kind,
    source: event.source === 'system' ? 'system' : String(event.source),
    payload: payloadOf(event, recipientId, publicUrl),
    ...(event.cursor === undefined ? {} : { cursor: event.cursor }),
  });
}

/** A frame from the server itself (`ack`, `resync`), never stored, without a cursor. */
export const systemFrame = (event: 'ack' | 'resync', payload: unknown) => JSON.stringify({ event, source: 'system', payload });

/** The presence of a user as the API shows it (the `presence` event's payload, `GET /users/presence`). */
export const presentPresence = (view: PresenceView) => ({
  userId: view.userId,
  status: view.status,
  lastSeen: view.lastSeenAt === null ? null : iso(view.lastSeenAt),
});

const presenceFrames = new WeakMap<PresenceView, string>();

/** The `presence` frame (volatile: no cursor), serialised once per event for every recipient on this node. */
export function presenceFrame(view: PresenceView): string {
  let frame = presenceFrames.get(view);
  if (frame === undefined) {
    frame = JSON.stringify({ event: 'presence', source: String(view.userId), payload: presentPresence(view) });
    presenceFrames.set(view, frame);
  }
  return frame;
}
