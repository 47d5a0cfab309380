/**
 * The native socket's answer to a frame the server read but will not run because it is
 * shutting down: an `ack` with `ok: false` and `error: "unavailable"`, echoing the frame's
 * `requestId` and `localId` so that the client knows which send to repeat after it reconnects
 * (a `send` is idempotent by `localId`, so repeating one that did go through is harmless).
 */
import { systemFrame } from './socket.frames.js';

/** The serialised `ack` for an abandoned frame (`data` as received; anything unparsable gets a bare ack). */
export function abandonedAck(data: Buffer): string {
  let frame: { requestId?: unknown; localId?: unknown } | undefined;
  try {
    frame = JSON.parse(data.toString('utf8')) as typeof frame;
  } catch {
    frame = undefined;
  }
  return systemFrame('ack', {
    ...(typeof frame?.requestId === 'string' ? { requestId: frame.requestId } : {}),
    ...(typeof frame?.localId === 'string' ? { localId: frame.localId } : {}),
    ok: false,
    error: 'unavailable',
    message: 'The server is shutting down; send this again once reconnected.',
  });
}
