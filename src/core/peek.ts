/** Reading the first bytes of a stream without consuming them (for content sniffing). */
import { Readable } from 'node:stream';

export interface Peeked {
  /** Up to `size` leading bytes (fewer when the stream is shorter). */
  head: Buffer;
  /** The whole stream, head included: `source` itself, or a copy when `source` has ended. */
  stream: Readable;
}

/**
 * Reads up to `size` bytes from `source` and puts them back. Never buffers more than `size`
 * plus one chunk, and never destroys `source` (an HTTP request must stay able to be answered).
 */
export async function peek(source: Readable, size: number): Promise<Peeked> {
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < size && !ended) {
    const chunk: Buffer | null = source.read();
    if (chunk !== null) {
      chunks.push(chunk);
      length += chunk.length;
      continue;
    }
    ended = await nextEvent(source);
  }
  const head = Buffer.concat(chunks);
  // A stream that has emitted 'end' refuses unshift; its few bytes get a fresh stream.
  if (ended) return { head: head.subarray(0, size), stream: Readable.from(head.length > 0 ? [head] : []) };
  source.unshift(head);
  return { head: head.subarray(0, size), stream: source };
}

/** Waits for more data (false) or the end (true); rejects on an error or an abort. */
function nextEvent(source: Readable): Promise<boolean> {
  if (source.readableEnded) return Promise.resolve(true);
  // Destroyed before we listened (a multipart part whose form broke off): no event will come.
  if (source.destroyed) return Promise.reject(source.errored ?? new Error('the upload was aborted'));
  return new Promise((resolve, reject) => {
    const done = (result: boolean | Error) => {
      source.off('readable', onReadable).off('end', onEnd).off('error', onError).off('close', onClose);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onReadable = () => done(false);
    const onEnd = () => done(true);
    const onError = (error: Error) => done(error);
    const onClose = () => done(source.readableEnded ? true : new Error('the upload was aborted'));
    source.on('readable', onReadable).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}
