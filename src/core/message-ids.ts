/**
 * Message ids as the native JSON document gives them (MessageInfo `id: <UUID>`): UUIDv7
 * (RFC 9562), time-ordered. The first 48 bits are the send's time in epoch milliseconds; the
 * 12 bits after the version count up within one millisecond of one generator (the RFC's
 * "method 1"), so the ids a generator makes sort in the order it made them; the last 62 bits
 * are random. The store keeps its integer row id for joins; this id is what clients see and name.
 */
import { randomBytes } from 'node:crypto';

/** A generator of increasing UUIDv7s: `next(ms)` for a message sent at `ms` (epoch milliseconds). */
export function createMessageIds() {
  let lastMs = -1;
  let counter = 0;
  return {
    next(ms: number): string {
      let at = Math.max(0, Math.floor(ms));
      if (at <= lastMs) {
        // The same millisecond (or a clock that stepped back): count up, borrowing the next ms when full.
        at = lastMs;
        counter += 1;
        if (counter > 0xfff) {
          at = lastMs + 1;
          counter = 0;
        }
      } else counter = randomBytes(1)[0]! & 0x7f; // a random start that leaves room to count up
      lastMs = at;
      const b = randomBytes(16);
      b.writeUIntBE(at, 0, 6);
      b[6] = 0x70 | (counter >> 8);
      b[7] = counter & 0xff;
      b[8] = 0x80 | (b[8]! & 0x3f);
      const h = b.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
  };
}

const sends = createMessageIds();

/** The id of a message sent now (`ms`): increasing over this process's sends. */
export const newMessageId = (ms: number) => sends.next(ms);

/** The canonical lower-case form of a UUID, as ids are stored. */
export const canonicalUuid = (id: string) => id.toLowerCase();
