/**
 * Issue 24 item 9: request bodies slower than HTTP_MIN_BODY_BYTES_PER_SECOND are answered
 * 408 once past HTTP_BODY_GRACE_SECONDS, and past HTTP_MAX_OPEN_REQUESTS_PER_ADDRESS open
 * requests from one address the next is answered 429. Spoken to with raw sockets that
 * trickle their bytes, as a slow or hostile client does.
 */
import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { register, startApp, type Registered, type TestApp } from './helpers.js';
import { listen } from './ws-helpers.js';

interface RawClient {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves once the server closed the connection (bounded). */
  closed(timeoutMs?: number): Promise<void>;
}

function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1');
    let text = '';
    let ended = false;
    const waiters: Array<() => void> = [];
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      ended = true;
      for (const wake of waiters.splice(0)) wake();
    });
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => text,
        closed: (timeoutMs = 10_000) =>
          new Promise<void>((done, fail) => {
            if (ended) return done();
            const timer = setTimeout(() => fail(new Error(`not closed within ${timeoutMs} ms; got ${JSON.stringify(text)}`)), timeoutMs);
            waiters.push(() => (clearTimeout(timer), done()));
          }),
      }),
    );
    socket.once('error', reject);
  });
}

const head = (path: string, length: number, extra = '') =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;

describe('slow request bodies', () => {
  let t: TestApp;
  let port: number;
  let user: Registered;
  before(async () => {
    t = await startApp({ HTTP_MIN_BODY_BYTES_PER_SECOND: '2000', HTTP_BODY_GRACE_SECONDS: '1', HTTP_MAX_OPEN_REQUESTS_PER_ADDRESS: '0' });
    user = await register(t.app);
    port = Number(new URL(await listen(t)).port);
  });
  after(() => t.destroy());

  it('answers 408 and closes a JSON body trickling in below the minimum rate', async () => {
    const client = await rawClient(port);
    const started = Date.now();
    client.socket.write(head('/users', 10_000));
    // 10 bytes every 100 ms: 100 B/s, far below 2000 B/s.
    const trickle = setInterval(() => client.socket.writable && client.socket.write('{"aaaaaaa"'), 100);
    try {
      await client.closed();
    } finally {
      clearInterval(trickle);
    }
    const took = Date.now() - started;
    assert.match(client.received(), /^HTTP\/1\.1 408 /);
    assert.match(client.received(), /urn:parley:problem:request_timeout/);
    assert.ok(took >= 900 && took < 5000, `closed after ${took} ms`);
  });

  it('answers 408 for an upload that stalls, and keeps serving others', async () => {
    const client = await rawClient(port);
    client.socket.write(
      `POST /uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n`,
    );
    client.socket.write(Buffer.alloc(3000, 1));
    await client.closed();
    assert.match(client.received(), /^HTTP\/1\.1 408 /);
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  });

  it('lets a body through that keeps the minimum rate, however long it takes', async () => {
    const body = Buffer.alloc(12_000, 7);
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${port}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
      duplex: 'half',
      // 1000 bytes every 250 ms: 4000 B/s, for about 3 s.
      body: new ReadableStream({
        async pull(controller) {
          await new Promise((r) => setTimeout(r, 250));
          const sent = (controller as unknown as { sent?: number }).sent ?? 0;
          if (sent >= body.length) return controller.close();
          controller.enqueue(body.subarray(sent, sent + 1000));
          (controller as unknown as { sent?: number }).sent = sent + 1000;
        },
      }),
    } as RequestInit);
    assert.equal(res.status, 200, await res.text());
    assert.ok(Date.now() - started > 2000);
  });
});

describe('open requests per address', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await startApp({ HTTP_MAX_OPEN_REQUESTS_PER_ADDRESS: '5', HTTP_MIN_BODY_BYTES_PER_SECOND: '0' });
    port = Number(new URL(await listen(t)).port);
  });
  after(() => t.destroy());

  it('answers 429 past the cap, and serves the address again once its requests end', async () => {
    const held: RawClient[] = [];
    for (let i = 0; i < 5; i++) {
      const client = await rawClient(port);
      client.socket.write(`${head('/users', 1000)}{"na`);
      held.push(client);
    }
    // Each held request has reached the server before the next is counted.
    let res: Response | undefined;
    for (let i = 0; i < 100; i++) {
      res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.status === 429) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(res!.status, 429);
    assert.equal(res!.headers.get('retry-after'), '1');
    assert.match(((await res!.json()) as { type: string }).type, /too_many_requests/);
    for (const client of held) client.socket.destroy();
    let again = 0;
    for (let i = 0; i < 100 && again !== 200; i++) {
      again = (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
      if (again !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(again, 200);
  });
});
