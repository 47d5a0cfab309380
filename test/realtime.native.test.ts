/** The native WebSocket against a real server on port 0, with real ws clients. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { client, register, startApp, type Registered, type TestApp } from './helpers.js';
import { connect, listen, refusedWith, type TestSocket } from './ws-helpers.js';

describe('native socket', () => {
  let t: TestApp;
  let url: string;
  let a: Registered, b: Registered, c: Registered;
  let chatId: string;
  const sockets: TestSocket[] = [];
  const open = async (path: string, protocols?: string | string[]) => {
    const s = await connect(`${url}${path}`, protocols);
    sockets.push(s);
    return s;
  };
  const send = (who: Registered, text: string, localId = randomUUID()) => client(t.app, who.token)('POST', `/chats/${chatId}/messages`, { localId, text });

  before(async () => {
    t = await startApp({ WS_ORIGINS: 'https://chat.example.com' });
    url = await listen(t);
    [a, b, c] = [await register(t.app), await register(t.app), await register(t.app)];
    chatId = (await client(t.app, a.token)('POST', '/chats', { participants: [b.id] })).json().id;
  });
  after(async () => {
    for (const s of sockets) s.ws.terminate();
    await t.destroy();
  });

  it('refuses the upgrade with 401 without a valid token, 403 from a foreign Origin', async () => {
    assert.equal(await refusedWith(`${url}/ws`), 401);
    assert.equal(await refusedWith(`${url}/ws?token=not.a.token`), 401);
    assert.equal(await refusedWith(`${url}/ws`, 'not-a-jwt'), 401);
    assert.equal(await refusedWith(`${url}/${randomUUID()}?token=${a.token}`), 401, 'the path names another session');
    assert.equal(await refusedWith(`${url}/ws?token=${a.token}`, undefined, { origin: 'https://evil.example' }), 403);
    assert.equal(await refusedWith(`${url}/ws?token=${a.token}`, undefined, { origin: 'https://chat.example.com' }), 101);
  });

  it('accepts the token as a subprotocol and echoes it; also at /<sessionId> and via x-access-token', async () => {
    const s = await open('/ws', [b.token]);
    assert.equal(s.ws.protocol, b.token);
    const bySession = await open(`/${a.sessionId}?token=${a.token}`);
    assert.equal(bySession.ws.readyState, 1);
    s.close();
    bySession.close();
    const header = await connect(`${url}/ws`, undefined, { headers: { 'x-access-token': c.token } });
    header.close();
  });

  it('delivers each event only to the users it is for', async () => {
    const [sa, sb, sc] = [await open(`/ws?token=${a.token}`), await open(`/ws?token=${b.token}`), await open(`/ws?token=${c.token}`)];
    await send(a, 'for a and b');
    const [fa] = await sa.waitFor('message');
    const [fb] = await sb.waitFor('message');
    assert.equal(fb!.payload.text, 'for a and b');
    assert.equal(fb!.source, String(a.id));
    assert.equal(typeof fb!.cursor, 'number');
    assert.equal(fa!.cursor, fb!.cursor, 'one event, one cursor');
    await client(t.app, b.token)('POST', `/chats/${chatId}/notify`, { name: 'typing_started' });
    const [aux] = await sa.waitFor('auxiliary');
    assert.deepEqual(aux!.payload, { chatId, name: 'typing_started', text: null, realm: 'webSocket', data: null });
    assert.equal(aux!.cursor, undefined, 'ephemeral events carry no cursor');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(sc.frames.length, 0, 'an outsider gets nothing');
    assert.equal(sb.of('auxiliary').length, 0, 'notify is for the others');
    for (const s of [sa, sb, sc]) s.close();
  });

  it('closes the older socket of a session with 4000', async () => {
    const first = await open(`/ws?token=${a.token}`);
    const second = await open(`/ws?token=${a.token}`);
    assert.equal((await first.waitClosed()).code, 4000);
    await send(b, 'to the newest socket');
    await second.waitFor('message');
    second.close();
  });

  it('closes the socket at once when its session logs out (4001)', async () => {
    const d = await register(t.app);
    const s = await open(`/ws?token=${d.token}`);
    await client(t.app, d.token)('POST', '/users/me/logout');
    assert.equal((await s.waitClosed()).code, 4001);
  });

  it('catches up after a disconnect: everything sent while away, then live, no gap, no duplicate', async () => {
    const sb = await open(`/ws?token=${b.token}`);
    await send(a, 'before the drop');
    const [last] = await sb.waitFor('message');
    sb.close();
    await sb.waitClosed();
    for (let i = 0; i < 5; i++) await send(a, `while away ${i}`);
    // Reconnect while more messages are being sent, so the replay and live delivery overlap.
    const racing = Array.from({ length: 10 }, (_, i) => send(a, `racing ${i}`));
    const back = await open(`/ws?token=${b.token}&since=${last!.cursor}`);
    await Promise.all(racing);
    await send(a, 'after');
    const frames = await back.until(() => {
      const messages = back.of('message');
      return messages.some((f) => f.payload.text === 'after') && messages;
    });
    const texts = frames.map((f) => f.payload.text);
    for (let i = 0; i < 5; i++) assert.ok(texts.includes(`while away ${i}`));
    for (let i = 0; i < 10; i++) assert.equal(texts.filter((x) => x === `racing ${i}`).length, 1, `racing ${i} exactly once`);
    assert.ok(!texts.includes('before the drop'));
    const cursors = frames.map((f) => f.cursor!);
    assert.deepEqual(
      cursors,
      [...cursors].sort((x, y) => x - y),
      'cursors increase',
    );
    assert.equal(new Set(cursors).size, cursors.length, 'no duplicate');
    back.close();
  });

  it('acts over the socket with acks, idempotent by localId', async () => {
    const sb = await open(`/ws?token=${b.token}`);
    const localId = randomUUID();
    sb.send({ action: 'send', chatId, localId, text: 'over the socket', requestId: 'r1' });
    sb.send({ action: 'send', chatId, localId, text: 'over the socket', requestId: 'r2' });
    const [ack1, ack2] = await sb.waitFor('ack', 2);
    assert.equal(ack1!.payload.ok, true);
    assert.equal(ack1!.payload.localId, localId);
    assert.equal(ack1!.payload.messageId, ack2!.payload.messageId, 'the same message twice');
    assert.deepEqual([ack1!.payload.requestId, ack2!.payload.requestId].sort(), ['r1', 'r2']);
    const history = (await client(t.app, a.token)('GET', `/chats/${chatId}/messages?count=5`)).json();
    assert.equal(history.filter((m: any) => m.localId === localId).length, 1);
    sb.send({ action: 'read', chatId, messageId: ack1!.payload.messageId });
    sb.send({ action: 'notify', chatId, name: 'typing_stopped' });
    sb.send({ action: 'send', chatId, localId: randomUUID(), text: 'x'.repeat(3000) });
    sb.send({ action: 'send', chatId: randomUUID(), localId: randomUUID(), text: 'nowhere' });
    sb.send({ action: 'fly' });
    const acks = (await sb.waitFor('ack', 7)).slice(2).map((f) => f.payload);
    assert.deepEqual(
      acks.map((p) => [p.ok, p.error]),
      [
        [true, undefined],
        [true, undefined],
        [false, 'validation'],
        [false, 'not_found'],
        [false, 'validation'],
      ],
    );
    sb.close();
  });

  it('closes on malformed frames: 1007 for non-JSON, 1003 for binary', async () => {
    const s1 = await open(`/ws?token=${b.token}`);
    s1.send('{not json');
    assert.equal((await s1.waitClosed()).code, 1007);
    const s2 = await open(`/ws?token=${b.token}`);
    s2.ws.send(Buffer.from([1, 2, 3]));
    assert.equal((await s2.waitClosed()).code, 1003);
  });

  it('closes on a frame over WS_MAX_PAYLOAD_BYTES with 1009', async () => {
    const s = await open(`/ws?token=${c.token}`);
    s.send({ action: 'notify', chatId, name: 'big', data: 'x'.repeat(70 * 1024) });
    assert.equal((await s.waitClosed()).code, 1009);
  });

  it('slows a socket that floods frames down instead of closing it: every frame is acked', async () => {
    const s = await open(`/ws?token=${c.token}`);
    for (let i = 0; i < 300; i++) s.send({ action: 'notify', chatId, name: 'spam' });
    // 300 frames at 50 a second, bursts of 100: about four seconds.
    assert.equal((await s.waitFor('ack', 300, 20_000)).length, 300);
    assert.equal(s.closed, undefined);
    s.close();
  });

  it('sends chat events with the recipient’s own settings, and user updates to peers', async () => {
    const sb = await open(`/ws?token=${b.token}`);
    await client(t.app, b.token)('PUT', `/chats/${chatId}/settings`, { isMuted: true });
    const [update] = await sb.waitFor('chatUpdate');
    assert.equal(update!.payload.isMuted, true);
    await client(t.app, a.token)('PUT', '/users/me', { name: 'Renamed A' });
    const [user] = await sb.waitFor('userUpdate');
    assert.equal(user!.payload.name, 'Renamed A');
    assert.equal(user!.payload.passwordHash, undefined);
    sb.close();
  });
});

describe('native socket: what a replay includes', () => {
  it('replays a chat’s events from when the user joined it, and not after they left', async () => {
    const t = await startApp();
    try {
      const url = await listen(t);
      const [a, b, c] = [await register(t.app), await register(t.app), await register(t.app)];
      const A = client(t.app, a.token);
      // Membership periods are kept to the millisecond: space the steps so none share one.
      const tick = () => new Promise((r) => setTimeout(r, 5));
      const chatId = (await A('POST', '/chats', { title: 'Late', participants: [b.id], isPersonal: false })).json().id;
      await A('POST', `/chats/${chatId}/messages`, { localId: 'early', text: 'before c joined' });
      await tick();
      await A('POST', `/chats/${chatId}/users`, { users: [c.id] });
      await tick();
      await A('POST', `/chats/${chatId}/messages`, { localId: 'late', text: 'after c joined' });
      await tick();
      await A('DELETE', `/chats/${chatId}/users`, { users: [c.id] });
      await tick();
      await A('POST', `/chats/${chatId}/messages`, { localId: 'gone', text: 'after c left' });
      const sc = await connect(`${url}/ws?token=${c.token}&since=0`);
      await sc.waitFor('removedUsers');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(
        sc.of('message').map((f) => f.payload.text),
        ['after c joined'],
      );
      assert.equal(sc.of('addedUsers').length, 1, 'c is told it was added');
      const sb = await connect(`${url}/ws?token=${b.token}&since=0`);
      await sb.until(() => sb.of('message').length >= 3 && sb.of('message'));
      assert.deepEqual(
        sb.of('message').map((f) => f.payload.text),
        ['before c joined', 'after c joined', 'after c left'],
      );
      sc.close();
      sb.close();
    } finally {
      await t.destroy();
    }
  });
});

describe('native socket: retention, heartbeats and slow readers', () => {
  it('answers a cursor older than the retention with resync', async () => {
    let now = Date.now();
    const t = await startApp({ EVENT_RETENTION_SECONDS: '60' }, { clock: { now: () => now } });
    const url = await listen(t);
    const [a, b] = [await register(t.app), await register(t.app)];
    const chat = (await client(t.app, a.token)('POST', '/chats', { participants: [b.id] })).json();
    const first = (await client(t.app, a.token)('POST', `/chats/${chat.id}/messages`, { localId: 'old', text: 'old' })).json();
    const sb = await connect(`${url}/ws?token=${b.token}&since=0`);
    const [replayed] = await sb.waitFor('message');
    assert.equal(replayed!.payload.id, first.id);
    sb.close();
    now += 120_000;
    await client(t.app, a.token)('POST', `/chats/${chat.id}/messages`, { localId: 'new', text: 'new' });
    assert.ok((await t.app.core.eventLog.prune()) > 0);
    const late = await connect(`${url}/ws?token=${b.token}&since=${replayed!.cursor! - 1}`);
    const [resync] = await late.waitFor('resync');
    assert.match(resync!.payload.reason, /older/);
    assert.equal(typeof resync!.payload.cursor, 'number');
    const bogus = await connect(`${url}/ws?token=${b.token}&since=999999`);
    await bogus.waitFor('resync');
    late.close();
    bogus.close();
    await t.destroy();
  });

  it('cuts off a client that stops answering pings', async () => {
    const t = await startApp({ WS_PING_INTERVAL_SECONDS: '1' });
    const url = await listen(t);
    const a = await register(t.app);
    const silent = await connect(`${url}/ws?token=${a.token}`, undefined, { autoPong: false });
    const healthy = await connect(`${url}/ws?token=${(await register(t.app)).token}`);
    const closed = await silent.waitClosed(5000);
    assert.equal(closed.code, 1006, 'terminated without a close frame');
    assert.equal(healthy.closed, undefined, 'a client that answers stays');
    healthy.close();
    await t.destroy();
  });

  it('closes a slow reader with 1013 while the others keep receiving', async () => {
    const t = await startApp({ WS_MAX_BUFFERED_BYTES: '65536', RATE_LIMITS: 'off' });
    const url = await listen(t);
    const [a, b, c] = [await register(t.app), await register(t.app), await register(t.app)];
    const chat = (await client(t.app, a.token)('POST', '/chats', { participants: [b.id, c.id], isPersonal: false })).json();
    const slow = await connect(`${url}/ws?token=${b.token}`);
    const fast = await connect(`${url}/ws?token=${c.token}`);
    // The slow client stops reading: the kernel buffers fill, then the server's queue grows.
    (slow.ws as any)._socket.pause();
    const data = { blob: 'x'.repeat(60_000) };
    // Until the server closes the slow socket: then the slow client reads again at once, before
    // the server cuts a peer that never answers its close (5 s later), which would be a 1006.
    const closing = () => [...t.app.websocketServer.clients].some((s) => s.readyState === s.CLOSING);
    let sent = 0;
    for (; sent < 400 && !closing(); sent++) {
      await client(t.app, a.token)('POST', `/chats/${chat.id}/notify`, { name: 'bulk', data });
      if (sent % 20 === 19) await new Promise((r) => setImmediate(r));
    }
    (slow.ws as any)._socket.resume();
    const closed = await slow.waitClosed(10_000);
    await fast.waitFor('auxiliary', sent, 20_000);
    assert.equal(closed.code, 1013);
    assert.ok(slow.of('auxiliary').length < sent, 'the slow reader was cut off before the end');
    assert.equal(fast.closed, undefined);
    fast.close();
    await t.destroy();
  });
});
