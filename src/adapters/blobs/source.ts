/**
 * What every blob adapter shares: the key check, and the byte limit an upload is read
 * through, so that `maxBytes` is enforced while the bytes stream, never after.
 */
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { AppError } from '../../errors.js';

/** Keys are server-chosen names; anything else is a bug, refused before any storage is touched. */
const KEY_PATTERN = /^[A-Za-z0-9_-]{1,80}\.[a-z0-9]{1,10}$/;

/** Returns `key`, or throws when it is not a plain `<name>.<ext>`. */
export function checkKey(key: string): string {
  if (!KEY_PATTERN.test(key)) throw new Error(`invalid blob key: ${JSON.stringify(key)}`);
  return key;
}

/** Counts bytes on their way through and fails the stream once `maxBytes` is passed. */
function byteLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new AppError('too_large', `The upload is larger than ${maxBytes} bytes.`));
      else callback(null, chunk);
    },
  });
}

export interface LimitedSource {
  /** The source's bytes; errors with `too_large`, the source's error, or an abort. */
  stream: Transform;
  /** Unhooks the source (call once the write is over, whatever its outcome). */
  detach(): void;
}

/**
 * `source` read through a `maxBytes` limit. The source is piped rather than put in a
 * pipeline: on a refusal a pipeline would destroy it, and destroying an HTTP request kills
 * its socket before the 413 can be sent. A source that closes before its end (a client
 * that went away) fails the stream too.
 */
export function limitSource(source: Readable, maxBytes: number): LimitedSource {
  const stream = byteLimit(maxBytes);
  const onError = (error: Error) => stream.destroy(error);
  const onClose = () => {
    if (!source.readableEnded) stream.destroy(new Error('the upload was aborted'));
  };
  source.on('error', onError).on('close', onClose);
  // The error may come before the adapter starts reading (while it prepares the write); the
  // adapter still gets it from its read of `stream`, so it must not crash the process meanwhile.
  stream.on('error', () => {});
  source.pipe(stream);
  return {
    stream,
    detach() {
      source.unpipe(stream);
      source.off('error', onError).off('close', onClose);
    },
  };
}
