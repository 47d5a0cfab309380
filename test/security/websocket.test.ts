/**
 * Attack suite, WebSockets: oversized frames (1009), floods of frames (slowed to a per-socket
 * rate, WS_MAX_FRAMES_PER_SECOND, by backpressure rather than closed), foreign Origins when WS_ORIGINS is set (403 before any
 * socket opens), and thousands of half-open connections that send part of an upgrade request
 * and stall (closed after HTTP_HEADERS_TIMEOUT_SECONDS while /healthz keeps answering).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { client, register, startApp, type Registered, type TestApp } from '../helpers.js';
import { connect, listen, refusedWith, type TestSocket } from '../ws-helpers.js';
import { FrameRate } from '../../src/realtime/frame-rate.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FrameRate', () => {
  it('allows bursts of two seconds’ worth, then the average rate; 0 is no limit', () => {
    let now = 0;
    const rate = new FrameRate(10, () => now);
    for (let i = 0; i < 20; i++) assert.equal(rate.take(), true, `frame ${i}`);
    assert.equal(rate.take(), false);
    now += 100; // one frame's worth
    assert.equal(rate.take(), true);
    assert.equal(rate.take(), false);
    now += 60_000; // refills to the burst, not beyond
    for (let i = 0; i < 20; i++) assert.equal(rate.take(), true);
    assert.equal(rate.take(), false);
    const off = new FrameRate(0, () => 0);
    for (let i = 0; i < 10_000; i++) assert.equal(off.take(), true);
  });
});

describe('security: WebSocket abuse', () => {
  let t: TestApp;
  let base: string;
  let user: Registered;
  let chatId: string;
  const open: TestSocket[] = [];
  const ws = async (url: string, protocols?: string | string[], headers?: Record<string, string>) => {
    const s = await connect(base + url, protocols, headers ? { headers } : {});
    open.push(s);
    return s;
  };

  before(async () => {
    t = await startApp({ WS_MAX_PAYLOAD_BYTES: '4096', WS_MAX_FRAMES_PER_SECOND: '20', WS_ORIGINS: 'https://chat.example.com' });
    base = await listen(t);
    user = await register(t.app);
    const other = await register(t.app);
    chatId = (await client(t.app, user.token)('POST', '/chats', { participants: [other.id] })).json().id;
  });
  after(async () => {
    for (const s of open) s.close();
    await t.destroy();
  });

  it('closes a frame over WS_MAX_PAYLOAD_BYTES with 1009, native and rooms', async () => {
    const native = await ws(`/ws?token=${user.token}`);
    native.send({ action: 'notify', chatId, name: 'big', data: 'x'.repeat(5000) });
    assert.equal((await native.waitClosed()).code, 1009);
    const room = await ws('/api/v1/rooms/big/ws', user.token);
    room.send({ text: 'x'.repeat(5000) });
    assert.equal((await room.waitClosed()).code, 1009);
    assert.equal((await t.app.inject('/healthz')).statusCode, 200);
  });

  it('slows a socket that sends frames faster than WS_MAX_FRAMES_PER_SECOND down (backpressure): the average holds, nothing is lost', async () => {
    // The bucket holds a burst of 40 (2 s at 20/s) and refills at 20/s: of 100 frames sent at
    // once, the k-th can be handled no sooner than (k - 40) / 20 seconds after the first.
    const allowed = (sinceMs: number, atMs: number) => 40 + Math.ceil((20 * (atMs - sinceMs)) / 1000);
    const native = await ws(`/ws?token=${user.token}`);
    const room = await ws('/api/v1/rooms/flood/ws', user.token);
    const ackTimes: number[] = [];
    native.ws.on('message', () => ackTimes.push(performance.now()));
    const start = performance.now();
    for (let i = 0; i < 100; i++) native.send({ action: 'notify', chatId, name: 'spam', requestId: String(i) });
    for (let i = 0; i < 100; i++) room.send({ text: `flood ${i}` });
    const acks = await native.waitFor('ack', 100, 20_000);
    assert.deepEqual(
      acks.map((f) => f.payload.requestId),
      Array.from({ length: 100 }, (_, i) => String(i)),
      'every frame acked, in order',
    );
    for (const [k, at] of ackTimes.entries()) {
      assert.ok(k + 1 <= allowed(start, at), `ack ${k + 1} came ${Math.round(at - start)} ms after the burst; the bucket allowed ${allowed(start, at)}`);
    }
    assert.equal(native.closed, undefined);
    const history = async () => (await t.app.inject('/api/v1/messages?room=flood&count=200')).json().data as Array<{ text: string }>;
    const deadline = Date.now() + 20_000;
    while ((await history()).length < 100 && Date.now() < deadline && room.closed === undefined) await sleep(100);
    const stored = (await history()).reverse().map((m) => m.text);
    assert.deepEqual(
      stored,
      Array.from({ length: 100 }, (_, i) => `flood ${i}`),
      'every room frame stored, in order',
    );
    assert.ok(performance.now() - start >= 2900, 'the room frames were handled at the rate, not at once');
    assert.equal(room.closed, undefined);
  });

  it('keeps a socket that stays within the rate', async () => {
    const native = await ws(`/ws?token=${user.token}`);
    for (let i = 0; i < 12; i++) {
      native.send({ action: 'notify', chatId, name: 'typing', requestId: String(i) });
      await sleep(60); // ~16 a second, under 20
    }
    await native.waitFor('ack', 12);
    assert.equal(native.closed, undefined);
  });

  it('refuses foreign Origins with 403 before any socket opens; the listed Origin and non-browser clients pass', async () => {
    for (const path of [
      `/ws?token=${user.token}`,
      `/${user.sessionId}?token=${user.token}`,
      '/api/v1/rooms/lobby/ws',
      `/api/v1/rooms/lobby/messages/ws?token=${user.token}`,
    ]) {
      for (const origin of [
        'https://evil.example.com',
        'null',
        'https://chat.example.com.evil.com',
        'http://chat.example.com',
        'https://chat.example.com:8443',
      ]) {
        assert.equal(await refusedWith(base + path, undefined, { headers: { origin } }), 403, `${path} from ${origin}`);
      }
      assert.equal(await refusedWith(base + path, undefined, { headers: { origin: 'https://chat.example.com' } }), 101, path);
      assert.equal(await refusedWith(base + path), 101, `${path} without Origin`);
    }
  });
});

describe('security: half-open connections', () => {
  let t: TestApp;
  after(() => t?.destroy());

  it('times out 2,000 stalled partial upgrades while /healthz keeps answering', async () => {
    t = await startApp({ HTTP_HEADERS_TIMEOUT_SECONDS: '2' });
    const base = await listen(t);
    const { port } = t.app.server.address() as net.AddressInfo;
    const user = await register(t.app);
    const COUNT = 2000;
    const sockets: net.Socket[] = [];
    let closed = 0;
    let answered408 = 0;
    const connected = await new Promise<number>((resolve) => {
      let ready = 0;
      const deadline = setTimeout(() => resolve(ready), 10_000);
      for (let i = 0; i < COUNT; i++) {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(`GET /ws?token=${user.token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`);
          if (++ready === COUNT) {
            clearTimeout(deadline);
            resolve(ready);
          }
        });
        socket.on('data', (d) => (answered408 += d.toString().startsWith('HTTP/1.1 408') ? 1 : 0));
        socket.on('error', () => {});
        socket.on('close', () => closed++);
        sockets.push(socket);
      }
    });
    try {
      assert.ok(connected >= COUNT * 0.95, `only ${connected} of ${COUNT} connected`);
      // Meanwhile the server answers at once.
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        const res = await fetch(`${base.replace('ws:', 'http:')}/healthz`);
        assert.equal(res.status, 200);
        assert.ok(Date.now() - started < 2000, `healthz took ${Date.now() - started} ms`);
      }
      assert.ok(closed < connected / 2, 'the stalled connections were closed before their timeout');
      // Then every stalled connection is cut off, within the timeout and a check interval or two.
      const deadline = Date.now() + 10_000;
      while (closed < connected && Date.now() < deadline) await sleep(100);
      assert.equal(closed, connected, `${connected - closed} stalled connections still open`);
      assert.ok(answered408 > 0);
      assert.equal((await fetch(`${base.replace('ws:', 'http:')}/healthz`)).status, 200);
      // And a real socket still opens.
      const socket = await connect(`${base}/ws?token=${user.token}`);
      socket.close();
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
});
