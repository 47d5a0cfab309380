/**
 * Reading a socket's frames with backpressure instead of disconnection. Frames are handled
 * one after another in arrival order (two sends keep their order and their seqs), at most
 * WS_MAX_FRAMES_PER_SECOND on average (frame-rate.ts). A client that sends faster is slowed,
 * not closed: while its frames wait in a long queue, or while it is over its rate, the socket
 * is paused (ws stops reading the TCP socket, so the client's own send buffer and the kernel
 * hold the rest) and resumed once the queue drains and tokens refill. Nothing a client sent
 * is dropped while its socket is open. A paused socket's pongs wait too, which is harmless:
 * a pause lasts until one token refills or a few frames are handled, far less than the ping
 * interval (heartbeat.ts).
 *
 * The one hard cap is for abuse where memory would still grow: pausing stops the reads, but
 * what ws had already read is still parsed into frames, up to a read chunk plus one frame
 * over the pause threshold. Frames read but not yet handled past `maxUnhandledBytes`
 * (`hardCapBytes`: 8 MiB, and at least three of the largest frames) close the socket with
 * 1008, "too much unread data".
 */
import WebSocket from 'ws';
import type { FrameWork } from '../shutdown/socket-drain.js';
import { CloseCode } from './close-codes.js';
import { FrameRate } from './frame-rate.js';
import { closeSocket } from './send.js';

/** Handles one frame; a rejection is logged through `onError` and the next frame runs. */
export type FrameHandler = (data: Buffer, isBinary: boolean) => Promise<void>;

export interface FrameReaderOptions {
  /** WS_MAX_FRAMES_PER_SECOND: frames handled a second on average (bursts of twice that); 0 = no limit. */
  perSecond: number;
  /** Reading pauses while this many frames wait. */
  pauseAtFrames?: number;
  /** Reading pauses while this many bytes of frames wait. */
  pauseAtBytes?: number;
  /** Frames read but not handled beyond this many bytes close the socket with 1008. */
  maxUnhandledBytes: number;
  /** Told of a frame handler's failure. */
  onError: (error: unknown) => void;
  /** Answers a frame that was read but will not be handled (shutdown abandoned it). */
  abandoned?: ((data: Buffer) => void) | undefined;
}

/** A burst's frames run for at most this long before the event loop gets a turn. */
const YIELD_AFTER_MS = 5;

/** Frames waiting before reading pauses: enough to keep a handler busy, few enough to hold little. */
export const PAUSE_AT_FRAMES = 32;
export const PAUSE_AT_BYTES = 1024 * 1024;

/** The hard cap on bytes read but not handled, for sockets whose frames are at most `maxPayloadBytes`. */
export function hardCapBytes(maxPayloadBytes: number): number {
  return Math.max(8 * 1024 * 1024, PAUSE_AT_BYTES + 3 * maxPayloadBytes);
}

/**
 * Reads `socket`'s frames into `handle`, one at a time, slowing the client down when it sends
 * too fast. Returns the socket's frame work as shutdown sees it (shutdown/socket-drain.ts):
 * stop reading, wait until idle, abandon what still waits.
 */
export function readFrames(socket: WebSocket, handle: FrameHandler, options: FrameReaderOptions): FrameWork {
  const { pauseAtFrames = PAUSE_AT_FRAMES, pauseAtBytes = PAUSE_AT_BYTES, maxUnhandledBytes, onError, abandoned } = options;
  const rate = new FrameRate(options.perSecond);
  const waiting: Array<{ data: Buffer; isBinary: boolean }> = [];
  let bytes = 0;
  let running = false;
  let starved = false;
  /** Shutdown: reading stays paused, whatever the queue does. */
  let held = false;
  /** Shutdown: frames still waiting are answered as abandoned, not handled. */
  let abandoning = false;
  const idleWaiters: Array<() => void> = [];

  /** Pauses reading while the queue is long or the rate is spent; resumes when neither holds. */
  const flow = () => {
    if (held) return;
    // A closing socket is never paused: its peer's close frame must still be read.
    const hold = socket.readyState === WebSocket.OPEN && (starved || waiting.length >= pauseAtFrames || bytes >= pauseAtBytes);
    if (hold && !socket.isPaused) socket.pause();
    else if (!hold && socket.isPaused) socket.resume();
  };

  const pump = async () => {
    if (running) return;
    running = true;
    let slice = performance.now();
    while (waiting.length > 0 && socket.readyState === WebSocket.OPEN) {
      // A handler that settles in microtasks (SQLite is synchronous, the in-process bus too)
      // would otherwise run a whole burst in one turn of the event loop, starving every other
      // socket, HTTP request and signal handler (SIGTERM waited 10 s behind one burst).
      if (performance.now() - slice >= YIELD_AFTER_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
      const wait = abandoning ? 0 : rate.msUntilToken();
      if (wait > 0) {
        starved = true;
        flow();
        await new Promise((resolve) => setTimeout(resolve, wait));
        starved = false;
        continue;
      }
      const frame = waiting.shift()!;
      try {
        if (abandoning) abandoned?.(frame.data);
        else {
          rate.take();
          await handle(frame.data, frame.isBinary);
        }
      } catch (error) {
        onError(error);
      }
      bytes -= frame.data.length;
      flow();
    }
    // Closed meanwhile: what was left is never handled (the socket is no longer open).
    if (socket.readyState !== WebSocket.OPEN) {
      waiting.length = 0;
      bytes = 0;
    }
    running = false;
    flow();
    for (const wake of idleWaiters.splice(0)) wake();
  };

  socket.on('message', (data: Buffer, isBinary: boolean) => {
    // Frames still arriving after the close was sent are dropped unread.
    if (socket.readyState !== WebSocket.OPEN) return;
    bytes += data.length;
    if (bytes > maxUnhandledBytes) {
      waiting.length = 0;
      bytes = 0;
      closeSocket(socket, CloseCode.PolicyViolation, 'too much unread data');
      return;
    }
    waiting.push({ data, isBinary });
    flow();
    void pump();
  });

  return {
    hold() {
      held = true;
      if (socket.readyState === WebSocket.OPEN && !socket.isPaused) socket.pause();
    },
    idle() {
      if (!running && waiting.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    abandon() {
      abandoning = true;
      const count = waiting.length;
      // Waiting on a token refill: abandoned frames need none, so answer them now.
      void pump();
      return count;
    },
  };
}
