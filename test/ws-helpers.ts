/** A real WebSocket client for tests: collects frames, waits for the ones a test expects. */
import WebSocket, { type ClientOptions } from 'ws';
import type { TestApp } from './helpers.js';

export interface Frame {
  event: string;
  source: string;
  payload: any;
  cursor?: number;
}

export class TestSocket {
  readonly frames: any[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? data : JSON.parse(String(data)));
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.wake();
    });
    ws.on('error', () => {});
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves once `predicate` holds (checked on every frame and on close), or rejects after `ms`. */
  async until<T>(predicate: () => T | undefined | false, ms = 5000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = predicate();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames).slice(0, 800)}; closed: ${JSON.stringify(this.closed)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The frames of `event` so far. */
  of(event: string): Frame[] {
    return this.frames.filter((f) => f.event === event);
  }

  waitFor(event: string, count = 1, ms?: number): Promise<Frame[]> {
    return this.until(() => this.of(event).length >= count && this.of(event), ms, `${count} × ${event}`);
  }

  waitClosed(ms?: number) {
    return this.until(() => this.closed, ms, 'close');
  }

  send(value: unknown) {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  close() {
    this.ws.close();
  }
}

/** The base ws:// URL of an app listening on 127.0.0.1. */
export async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as { port: number };
  return `ws://127.0.0.1:${port}`;
}

/** Opens a socket; resolves when open, rejects with the HTTP status when the upgrade is refused. */
export function connect(url: string, protocols?: string | string[], options: ClientOptions = {}): Promise<TestSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    const socket = new TestSocket(ws);
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', (error) => reject(error));
  });
}

/** The HTTP status with which an upgrade is refused. */
export async function refusedWith(url: string, protocols?: string | string[], options: ClientOptions = {}): Promise<number> {
  try {
    const socket = await connect(url, protocols, options);
    socket.close();
    return 101;
  } catch (error) {
    return (error as { status?: number }).status ?? -1;
  }
}
