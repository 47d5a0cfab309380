/**
 * Closing a node's sockets on shutdown without losing track of a frame, and in bounded time.
 *
 * Frames a socket has read but not yet handled must be finished or abandoned BEFORE the store
 * closes: run afterwards, each one fails on the closed store and logs an error (a burst of a
 * thousand frames logged ~100 KB of them, enough to fill a stdout pipe). So, in order:
 * 1. every socket stops reading (what the client sent since stays in its own buffers, unacked,
 *    for it to send again after reconnecting; native sends are idempotent by `localId`);
 * 2. the frames already read are handled, for at most `drainMs`;
 * 3. frames still waiting then are abandoned: each gets the answer its protocol gives for
 *    "shutting down" (the native ack `ok: false, error: "unavailable"`) without touching the store;
 * 4. every socket is closed with 1001 (going away), and cut off after `closeMs` if its peer
 *    does not answer the close (a reader that never reads would hold it for ws's 30 s).
 */
import WebSocket, { type WebSocketServer } from 'ws';

/** A socket's incoming frame work, as shutdown sees it (realtime/frame-reader.ts implements it). */
export interface FrameWork {
  /** Stops reading the socket until it closes (backpressure no longer resumes it). */
  hold(): void;
  /** Resolves once no frame is waiting or running. */
  idle(): Promise<void>;
  /** Frames not yet started are answered as abandoned instead of run; returns how many. */
  abandon(): number;
}

/**
 * The frame work of each server's sockets. A socket's work outlives the socket: one closed
 * for flooding (1008) still has its queue to run, so it stays here until its queue is idle.
 */
const workOf = new WeakMap<WebSocketServer, Set<FrameWork>>();

/** Tells shutdown where the frames of `socket` (a socket of `server`) wait; call once, when it opens. */
export function drainOnShutdown(server: WebSocketServer, socket: WebSocket, frames: FrameWork): void {
  let work = workOf.get(server);
  if (!work) workOf.set(server, (work = new Set()));
  work.add(frames);
  socket.once('close', () => void frames.idle().then(() => work.delete(frames)));
}

export interface CloseOptions {
  /** How long the frames already read may take to finish. */
  drainMs: number;
  /** How long a peer has to answer the 1001 close before its connection is cut. */
  closeMs: number;
  /** Close code and reason (1001, "server shutting down"). */
  code: number;
  reason: string;
}

/** What happened to a node's sockets at shutdown, for the log. */
export interface CloseReport {
  sockets: number;
  /** Frames answered as abandoned because they were still waiting after `drainMs`. */
  abandonedFrames: number;
  /** Sockets cut off because their peer did not answer the close within `closeMs`. */
  terminated: number;
}

/** Resolves with true when `work` settles within `ms`, false otherwise. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([work.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

const closed = (socket: WebSocket) =>
  socket.readyState === WebSocket.CLOSED ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve()));

/**
 * Drains, then closes every socket of `server` (see the module comment); never takes much
 * more than `drainMs + closeMs`. Call it once `server` takes no new sockets.
 */
export async function drainAndCloseSockets(server: WebSocketServer, options: CloseOptions): Promise<CloseReport> {
  const all = [...server.clients];
  const work = [...(workOf.get(server) ?? [])];
  for (const frames of work) frames.hold();
  for (const socket of all) if (socket.readyState === WebSocket.OPEN) socket.pause();
  const idle = () => Promise.all(work.map((frames) => frames.idle()));
  let abandonedFrames = 0;
  if (!(await within(idle(), options.drainMs))) {
    for (const frames of work) abandonedFrames += frames.abandon();
    // The frame running at that moment still finishes (it may have written already); abandoned
    // ones take no time. A store that hangs gets a short bound more, then it closes anyway.
    await within(idle(), Math.min(1000, options.drainMs));
  }
  for (const socket of all) {
    if (socket.readyState === WebSocket.CLOSED) continue;
    // Reading again, so that the peer's answer to the close is read.
    socket.resume();
    if (socket.readyState === WebSocket.OPEN) socket.close(options.code, options.reason);
  }
  let terminated = 0;
  if (!(await within(Promise.all(all.map(closed)), options.closeMs))) {
    for (const socket of all) {
      if (socket.readyState === WebSocket.CLOSED) continue;
      terminated++;
      socket.terminate();
    }
  }
  return { sockets: all.length, abandonedFrames, terminated };
}
