/**
 * Public rooms (the rooms API): a room is a public chat addressed by name, created on first
 * join, whose messages live in the same table as every other chat's, with the same gap-free
 * seq. Anyone may read a room; only signed-in users may post. Room messages fan out on their
 * own bus topic to room sockets, not through the per-user event log (rooms have no members).
 */
import { randomUUID } from 'node:crypto';
import { forbidden, invalid, notFound } from '../errors.js';
import type { Bus } from '../ports/bus.js';
import type { Clock } from '../ports/clock.js';
import type { Profile, RoomMessage } from '../ports/events.js';
import { UniqueViolation, type ChatRecord, type MessageRecord, type Store, type UserRecord } from '../ports/store.js';
import { newMessageId } from './message-ids.js';
import { checkTextSize, HISTORY_MAX } from './message-rules.js';
import { loadProfiles } from './profiles.js';
import type { Throttle } from './throttle.service.js';

export const ROOM_NAME_PATTERN = '^[A-Za-z0-9_.-]{1,64}$';
const roomName = new RegExp(ROOM_NAME_PATTERN);

/** Room names compare case-insensitively; a bad one is a 400. */
export function foldRoomName(name: string): string {
  if (!roomName.test(name)) throw invalid([{ name: 'room', reason: 'must be 1 to 64 characters of A-Z, a-z, 0-9, ".", "_" or "-"' }]);
  return name.toLowerCase();
}

const present = (m: MessageRecord, sender: { id: number; username: string }): RoomMessage => ({
  id: m.id,
  sender,
  text: m.text,
  createTime: Math.floor(m.createdAt / 1000),
});

export type RoomsService = ReturnType<typeof createRoomsService>;

export function createRoomsService(deps: {
  store: Store;
  bus: Bus;
  clock: Clock;
  /** The per-user send limit (`send_user`), shared with chat messages; absent: unlimited. */
  throttle?: Pick<Throttle, 'countSend'> | undefined;
}) {
  const { store, bus, clock } = deps;

  async function findRoom(name: string): Promise<ChatRecord> {
    const room = await store.chats.findByRoomName(foldRoomName(name));
    if (!room) throw notFound('Room');
    return room;
  }

  /** The room with id `id` (the rooms clients' `room_id`); a chat that is not a room is not found. */
  async function findRoomById(id: string): Promise<ChatRecord> {
    const room = await store.chats.findById(id);
    if (!room || room.roomName === null) throw notFound('Room');
    return room;
  }

  /** A room's message by id; a message of any other chat (or none) is not found. */
  async function findRoomMessage(id: string): Promise<{ message: MessageRecord; room: ChatRecord }> {
    // Message ids are read from the path as text, so this works whatever their form.
    const numeric = /^[1-9]\d{0,15}$/.test(id) ? Number(id) : undefined;
    const message = numeric === undefined ? undefined : await store.messages.findById(numeric as MessageRecord['id']);
    const room = message && (await store.chats.findById(message.chatId));
    if (!message || !room || room.roomName === null || message.deletedAt !== null) throw notFound('Message');
    return { message, room };
  }

  const withSender = async (message: MessageRecord) => {
    const [sender] = await store.users.findByIds([message.authorId]);
    return present(message, { id: message.authorId, username: sender?.username ?? 'deleted' });
  };

  return {
    findRoom,
    findRoomById,

    /** An account as the rooms API shows one (`GET /api/v1/users/<id>`); undefined when there is none. */
    async findAccount(id: number): Promise<UserRecord | undefined> {
      const user = await store.users.findById(id);
      return user && user.disabledAt === null ? user : undefined;
    },

    /** One room message (`GET /api/v1/messages/<id>`): public, as every room is. */
    async getMessage(id: string): Promise<RoomMessage> {
      return withSender((await findRoomMessage(id)).message);
    },

    /**
     * Changes a room message's text (`PUT /api/v1/messages/<id>`): its author or an
     * administrator (the original server let administrators only). Not sent to room sockets:
     * their frames carry new messages only.
     */
    async editMessage(actor: { user: UserRecord; isAdmin: boolean }, id: string, text: string): Promise<RoomMessage> {
      const { message } = await findRoomMessage(id);
      if (message.authorId !== actor.user.id && !actor.isAdmin) throw forbidden('Only the author or an administrator may edit a room message.');
      if (text.trim() === '') throw invalid([{ name: 'text', reason: 'is required' }]);
      checkTextSize(text);
      const now = clock.now();
      const patch = text === message.text ? { updatedAt: now } : { text, editedAt: now, updatedAt: now };
      await store.messages.update(message.id, patch);
      return withSender({ ...message, ...patch });
    },

    /** The room by name, created on first join (by `opener`, or ownerless for an anonymous reader). */
    async openRoom(name: string, opener?: Profile): Promise<ChatRecord> {
      const folded = foldRoomName(name);
      const existing = await store.chats.findByRoomName(folded);
      if (existing) return existing;
      const now = clock.now();
      const room: ChatRecord = {
        id: randomUUID(),
        title: folded,
        isPersonal: false,
        personalKey: null,
        ownerId: opener?.id ?? null,
        roomName: folded,
        lastSeq: 0,
        lastActivityAt: now,
        createdAt: now,
        updatedAt: now,
      };
      try {
        await store.chats.insert(room, []);
        return room;
      } catch (error) {
        // Two first joins at once: both use the room that won.
        const winner = error instanceof UniqueViolation ? await store.chats.findByRoomName(folded) : undefined;
        if (!winner) throw error;
        return winner;
      }
    },

    /** Stores a message in the room (opened by `openRoom`), then publishes it to every node's room sockets. */
    async post(author: Profile, room: ChatRecord, text: string): Promise<RoomMessage> {
      if (text.trim() === '') throw invalid([{ name: 'text', reason: 'is required' }]);
      checkTextSize(text);
      await deps.throttle?.countSend(author.id);
      const now = clock.now();
      const stored = await store.transaction(async (tx) => {
        const seq = await tx.chats.nextSeq(room.id, now);
        return tx.messages.insert({
          uuid: newMessageId(now),
          chatId: room.id,
          seq,
          authorId: author.id,
          localId: `room:${randomUUID()}`,
          text,
          isVisible: true,
          fileExists: null,
          previewExists: null,
          createdAt: now,
          updatedAt: now,
          editedAt: null,
          deletedAt: null,
        });
      });
      const message = present(stored, { id: author.id, username: author.username });
      await bus.publish('room.message', { room: room.roomName!, message });
      return message;
    },

    /** Newest first: up to `count` messages before the message `before`, of the room named `room` or with `{id}`. */
    async history(which: string | { id: string }, count: number, before: number | undefined): Promise<RoomMessage[]> {
      const room = typeof which === 'string' ? await findRoom(which) : await findRoomById(which.id);
      let beforeSeq: number | null = null;
      if (before !== undefined) {
        const anchor = await store.messages.findById(before);
        if (!anchor || anchor.chatId !== room.id) throw notFound('Message');
        beforeSeq = anchor.seq;
      }
      const messages = await store.messages.listBefore(room.id, beforeSeq, Math.min(count, HISTORY_MAX));
      const senders = await loadProfiles(
        store,
        messages.map((m) => m.authorId),
      );
      return messages.map((m) => present(m, { id: m.authorId, username: senders.get(m.authorId)?.username ?? 'deleted' }));
    },
  };
}
