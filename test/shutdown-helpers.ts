/**
 * What the shutdown tests do to a server process: start it with its stdout read or left
 * unread (a full pipe, as under a log shipper that stalled), put a socket burst in flight
 * (a rooms writer sending 1,000 frames at once, a native socket sending 300 `send` actions
 * at once, optionally 200 room readers and one reader that never reads), then SIGTERM.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, rmSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { FAST_ARGON2, tempDir } from './helpers.js';
import { freePort, http, registerOn, FROM_SOURCE, untilHealthy, type RemoteUser } from './server-process.js';

export interface ShutdownServer {
  url: string;
  wsUrl: string;
  child: ChildProcess;
  /** What the server wrote (empty when its stdout is left unread). */
  output(): string;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();
const killAll = () => {
  for (const child of running) child.kill('SIGKILL');
};
process.on('exit', killAll);
// The test runner ends a file that overruns its time with SIGTERM, which runs no 'exit' handler.
process.once('SIGTERM', () => {
  killAll();
  process.exit(1);
});

/**
 * A real pipe (a FIFO; Node's own stdio pipes are socket pairs with far larger buffers) that
 * nobody reads: this process holds it open read-write and never reads, so it fills after
 * 64 KiB, as when a log shipper stalls. `close` releases it.
 */
function unreadPipe(): { fd: number; close(): void } {
  const fifo = path.join(tempDir('parley-fifo-'), 'stdout');
  execFileSync('mkfifo', [fifo]);
  // Read-write: opening does not wait for a reader, and the pipe never reports a closed reader.
  const fd = openSync(fifo, 'r+');
  return {
    fd,
    close() {
      closeSync(fd);
      rmSync(path.dirname(fifo), { recursive: true, force: true });
    },
  };
}

/**
 * Starts the server (`entry`, default the sources through tsx) with `env`. With `unreadStdout`
 * its stdout is a pipe nobody reads: once the pipe is full, every write blocks or fails with
 * EAGAIN. Resolves once `/healthz` answers.
 */
export async function startShutdownServer(env: Record<string, string>, options: { unreadStdout?: boolean; entry?: string[] } = {}): Promise<ShutdownServer> {
  const port = await freePort();
  const pipe = options.unreadStdout ? unreadPipe() : undefined;
  const child = spawn(process.execPath, options.entry ?? FROM_SOURCE, {
    env: {
      ...process.env,
      DATABASE_URL: '',
      REDIS_URL: '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      RATE_LIMITS: 'off',
      ...FAST_ARGON2,
      ...env,
    },
    stdio: ['ignore', pipe ? pipe.fd : 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      pipe?.close();
      resolve({ code, signal });
    }),
  );
  let output = '';
  const keep = (data: Buffer) => (output = (output + data.toString()).slice(-16_000));
  child.stderr!.on('data', keep);
  child.stdout?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const server: ShutdownServer = { url, wsUrl: `ws://127.0.0.1:${port}`, child, output: () => output, exited };
  if (await untilHealthy(url, child, () => output, 30_000)) return server;
  child.kill('SIGKILL');
  throw new Error(`the server did not answer /healthz within 30 s: ${output}`);
}

/** A socket that counts what it receives and remembers how it closed. */
export interface BurstSocket {
  ws: WebSocket;
  received: number;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a socket; with `reads: false` it never reads (its TCP receive window fills). */
export function openSocket(url: string, protocols: string[] = [], reads = true): Promise<BurstSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    const socket: BurstSocket = {
      ws,
      received: 0,
      closed: new Promise((done) => ws.once('close', (code, reason) => done({ code, reason: String(reason) }))),
    };
    ws.on('message', () => socket.received++);
    ws.on('error', () => {});
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('open', () => {
      if (!reads) ws.pause();
      resolve(socket);
    });
    ws.once('error', reject);
  });
}

export interface Burst {
  sockets: BurstSocket[];
  /** Resolves once the server has started answering the burst (a first frame came back). */
  started: Promise<void>;
}

export interface BurstOptions {
  /** Anonymous room readers besides the writer (0 for the plain burst). */
  readers?: number;
  /** One more room reader that never reads. */
  slowReader?: boolean;
  roomFrames?: number;
  nativeSends?: number;
}

/** Users for one burst: a rooms writer, and two users with a chat between them. */
export interface BurstUsers {
  writer: RemoteUser;
  sender: RemoteUser;
  chatId: string;
}

export async function burstUsers(url: string): Promise<BurstUsers> {
  const [writer, sender, peer] = await Promise.all([registerOn(url, 'wr'), registerOn(url, 'snd'), registerOn(url, 'peer')]);
  const chat = await http(`${url}/chats`, { token: sender.token, body: { participants: [peer.id] } });
  if (chat.status !== 200) throw new Error(`creating a chat answered ${chat.status}: ${JSON.stringify(chat.body)}`);
  return { writer, sender, chatId: chat.body.id };
}

/**
 * Opens the sockets and sends the whole burst in one go (each socket's frames in one tick).
 * Resolves once everything is sent; `started` once the server answered something.
 */
export async function startBurst(server: ShutdownServer, users: BurstUsers, options: BurstOptions = {}): Promise<Burst> {
  const room = `burst${randomUUID().slice(0, 8)}`;
  const roomUrl = `${server.wsUrl}/api/v1/rooms/${room}/ws`;
  const readers = await Promise.all(Array.from({ length: options.readers ?? 0 }, () => openSocket(roomUrl)));
  const slow = options.slowReader ? [await openSocket(roomUrl, [], false)] : [];
  const writer = await openSocket(roomUrl, [users.writer.token]);
  const native = await openSocket(`${server.wsUrl}/ws`, [users.sender.token]);
  const sockets = [...readers, ...slow, writer, native];
  const started = new Promise<void>((resolve) => {
    native.ws.once('message', () => resolve());
    writer.ws.once('message', () => resolve());
    writer.closed.then(() => resolve());
    native.closed.then(() => resolve());
  });
  for (let i = 0; i < (options.roomFrames ?? 1000); i++) writer.ws.send(JSON.stringify({ text: `burst ${i} ${'x'.repeat(40)}` }));
  for (let i = 0; i < (options.nativeSends ?? 300); i++) {
    native.ws.send(JSON.stringify({ action: 'send', chatId: users.chatId, localId: randomUUID(), text: `native ${i}`, requestId: `r${i}` }));
  }
  return { sockets, started };
}

/** Ends every client socket of a burst (after the test's checks). */
export function endBurst(burst: Burst | undefined): void {
  for (const socket of burst?.sockets ?? []) socket.ws.terminate();
}

/**
 * SIGTERM, then how the process ended; one still running `boundMs` later is SIGKILLed and
 * reported as `hung` (the old code hung for good).
 */
export async function stopWithin(server: ShutdownServer, boundMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; hung?: true }> {
  server.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(resolve, boundMs, 'hung')));
  const ended = await Promise.race([server.exited, hung]);
  clearTimeout(timer);
  if (ended !== 'hung') return ended;
  server.child.kill('SIGKILL');
  await server.exited;
  return { code: null, signal: null, hung: true };
}
