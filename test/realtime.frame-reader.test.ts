/**
 * The frame reader on a real ws server and client: while its handler is busy it stops reading
 * the socket, so what waits in memory stays bounded however much the client sends, and once
 * the handler frees every frame is handled, in order. Past the hard cap on bytes read but not
 * handled the socket closes with 1008.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type WebSocket, WebSocketServer } from 'ws';
import { readFrames, type FrameReaderOptions } from '../src/realtime/frame-reader.js';
import { connect, type TestSocket } from './ws-helpers.js';

/** A handler that holds every frame until `release()`. */
function gatedHandler() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const handled: string[] = [];
  return {
    handled,
    release: () => open(),
    handle: async (data: Buffer) => {
      await gate;
      handled.push(data.toString('utf8'));
    },
  };
}

/** Polls `read` until it stops changing for `stableMs` (bounded by `ms`); its last value. */
async function settled(read: () => number, stableMs = 300, ms = 10_000): Promise<number> {
  const deadline = Date.now() + ms;
  let last = read();
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    const now = read();
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since >= stableMs) return now;
  }
  throw new Error(`still changing after ${ms} ms (at ${last})`);
}

describe('frame reader', () => {
  let server: WebSocketServer;
  let url: string;
  let serve: (socket: WebSocket) => void = () => {};
  const clients: TestSocket[] = [];
  before(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on('connection', (socket) => serve(socket));
  });
  after(async () => {
    for (const c of clients) c.ws.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const options = (more: Partial<FrameReaderOptions>): FrameReaderOptions => ({
    perSecond: 0,
    maxUnhandledBytes: 64 * 1024 * 1024,
    onError: (e) => assert.fail(String(e)),
    ...more,
  });

  it('stops reading while its handler is busy, then handles every frame in order', async () => {
    const gated = gatedHandler();
    let read = 0;
    let serverSocket: WebSocket | undefined;
    serve = (socket) => {
      serverSocket = socket;
      socket.on('message', () => read++);
      readFrames(socket, gated.handle, options({ pauseAtFrames: 8 }));
    };
    const client = await connect(url);
    clients.push(client);
    const sent = Array.from({ length: 20_000 }, (_, i) => `frame ${i} ${'x'.repeat(200)}`);
    for (const frame of sent) client.ws.send(frame);

    // The client has written 4 MB; the server has read only what reached it before it paused
    // (the rest waits in the kernel's buffers and the client's).
    const waiting = await settled(() => read);
    assert.ok(waiting < 2000, `${waiting} frames read while the handler was busy`);
    assert.equal(serverSocket?.isPaused, true);

    gated.release();
    await settled(() => gated.handled.length, 200, 30_000);
    assert.equal(gated.handled.length, sent.length, 'nothing dropped');
    assert.deepEqual(gated.handled, sent, 'in order');
    assert.equal(serverSocket?.isPaused, false);
    assert.equal(client.closed, undefined);
  });

  it('closes with 1008 once the frames read but not handled pass the hard cap', async () => {
    const gated = gatedHandler();
    // A cap below the pause threshold stands in for a socket whose reads pausing could not stop.
    serve = (socket) => readFrames(socket, gated.handle, options({ maxUnhandledBytes: 16 * 1024 }));
    const client = await connect(url);
    clients.push(client);
    for (let i = 0; i < 100; i++) client.ws.send('y'.repeat(1024));
    const closed = await client.waitClosed();
    assert.deepEqual(closed, { code: 1008, reason: 'too much unread data' });
    gated.release();
  });
});
