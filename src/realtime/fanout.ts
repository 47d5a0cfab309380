/**
 * The fan-out: the only bus subscriber that delivers to sockets. Chat events go to the
 * recipients' sockets, presence changes to the users who see them, room messages to the room's sockets, and a revocation closes every
 * socket of the revoked sessions, of every family, with 4001. Revocation travels on the bus,
 * so a logout on any node closes the sockets held by every node.
 */
import type { Bus } from '../ports/bus.js';
import { CloseCode } from './close-codes.js';
import type { Hub } from './hub.js';

/** Subscribes the hub's deliveries to `bus`; returns the function that unsubscribes them. */
export function startFanout(bus: Bus, hub: Hub): () => void {
  const stops = [
    bus.subscribe('chat.event', (event) => {
      hub.noteCursor(event.cursor);
      for (const userId of event.recipients) for (const conn of hub.ofUser(userId)) conn.chatEvent?.(event);
    }),
    bus.subscribe('user.presence', (event) => {
      for (const userId of event.recipients) for (const conn of hub.ofUser(userId)) conn.presence?.(event);
    }),
    bus.subscribe('room.message', ({ room, message }) => {
      for (const conn of hub.inRoom(room)) conn.roomMessage?.(message);
    }),
    bus.subscribe('sessions.revoked', ({ sessionIds }) => {
      for (const id of sessionIds) {
        hub.noteRevoked(id);
        // A copy: closing may remove the connection from the set being read.
        for (const conn of [...hub.ofSession(id)]) conn.close(CloseCode.Revoked, 'session revoked');
      }
    }),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
