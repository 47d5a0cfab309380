/**
 * What every kind of message (chat messages, room posts) shares: the size of a text, the
 * history page bounds, and the error for a member who may not post. Services of both kinds
 * read these here instead of reaching into each other.
 */
import { AppError, invalid } from '../errors.js';

/** SPEC 6: a message's text is at most 2 KB of UTF-8. */
export const TEXT_MAX_BYTES = 2048;
/** The largest history page a client may ask for, and the page it gets when it does not say. */
export const HISTORY_MAX = 200;
export const HISTORY_DEFAULT = 50;

/** Refuses a text longer than `TEXT_MAX_BYTES` (400 `validation` on `text`). */
export function checkTextSize(text: string | undefined): void {
  if (text !== undefined && Buffer.byteLength(text, 'utf8') > TEXT_MAX_BYTES) {
    throw invalid([{ name: 'text', reason: `must be at most ${TEXT_MAX_BYTES} bytes` }]);
  }
}

/** Raised when a member may not post into a chat (blocked by its owner, or a blocked personal chat). */
export const cannotPost = (reason: string) => new AppError('forbidden', reason);
