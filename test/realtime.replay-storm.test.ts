/**
 * Issue 24 item 4: a replay storm. After 2,000 messages, 30 sockets of one user open
 * `/ws?since=0` together: every socket gets every message once, in order; the log is read a
 * page at a time (the store is never asked for more than REPLAY_PAGE_EVENTS events at once);
 * replays take turns (REPLAY_CONCURRENCY, REPLAY_PER_USER); and `/healthz` answers while
 * they are still running.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ReplayGate } from '../src/realtime/replay-gate.js';
import { client, register, startApp, type Registered, type TestApp } from './helpers.js';
import { connect, listen, type TestSocket } from './ws-helpers.js';

const MESSAGES = 2000;
const SOCKETS = 30;
const PAGE = 200;
const CHATS = 10;

describe('the replay gate', () => {
  it('admits at most perNode replays and perUser of one user, in arrival order, others passing a user at its cap', async () => {
    const gate = new ReplayGate(3, 2);
    const admitted: string[] = [];
    const releases = new Map<string, () => void>();
    const enter = (name: string, user: number) =>
      void gate.enter(user).then((release) => {
        admitted.push(name);
        releases.set(name, release);
      });
    enter('u1a', 1);
    enter('u1b', 1);
    enter('u1c', 1);
    enter('u2a', 2);
    enter('u3a', 3);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(admitted, ['u1a', 'u1b', 'u2a']);
    assert.deepEqual(gate.counts, { running: 3, waiting: 2 });
    releases.get('u2a')!();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(admitted, ['u1a', 'u1b', 'u2a', 'u3a'], 'user 1 is at its cap: user 3 passes');
    releases.get('u1a')!();
    releases.get('u1a')!(); // twice is once
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(admitted, ['u1a', 'u1b', 'u2a', 'u3a', 'u1c']);
    assert.deepEqual(gate.counts, { running: 3, waiting: 0 });
  });
});

describe('a replay storm', () => {
  let t: TestApp;
  let url: string;
  let a: Registered, b: Registered;
  const sockets: TestSocket[] = [];
  before(async () => {
    t = await startApp({ RATE_LIMITS: 'off', REPLAY_PAGE_EVENTS: String(PAGE) });
    url = await listen(t);
    [a, b] = [await register(t.app), await register(t.app)];
    const A = client(t.app, a.token);
    // Ten chats side by side (one after another within each, so their seqs follow the texts).
    await Promise.all(
      Array.from({ length: CHATS }, async (_, c) => {
        const chatId = (await A('POST', '/chats', { title: `storm ${c}`, participants: [b.id], isPersonal: false })).json().id;
        for (let n = 0; n < MESSAGES / CHATS; n++) {
          const res = await A('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: `c${c} m${n}` });
          assert.equal(res.statusCode, 200);
        }
      }),
    );
  });
  after(async () => {
    for (const s of sockets) s.ws.terminate();
    await t?.destroy();
  });

  /** A new device session of `b` (one native socket per session: a second would replace the first). */
  async function session(): Promise<string> {
    const res = await t.app.inject({
      method: 'POST',
      url: '/users/login',
      payload: { username: b.username, password: b.password, deviceInfo: { id: randomUUID(), name: 'storm' } },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().token;
  }

  it('gives every socket every event in order, a page at a time, while /healthz answers', async () => {
    const tokens = await Promise.all(Array.from({ length: SOCKETS }, session));
    const events = t.app.core.ports.store.events;
    const listSince = events.listSince.bind(events);
    let calls = 0;
    let largest = 0;
    events.listSince = (userId, since, limit, through) => {
      calls++;
      largest = Math.max(largest, limit);
      return listSince(userId, since, limit, through);
    };
    try {
      const opened = await Promise.all(tokens.map((token) => connect(`${url}/ws?token=${token}&since=0`)));
      sockets.push(...opened);
      const received = () => opened.reduce((sum, s) => sum + s.of('message').length, 0);

      const http = url.replace('ws:', 'http:');
      const health = await fetch(`${http}/healthz`);
      const progressAtHealth = received();
      assert.equal(health.status, 200);

      for (const s of opened) await s.until(() => s.of('message').length >= MESSAGES, 60_000, `${MESSAGES} messages`);
      assert.ok(progressAtHealth < SOCKETS * MESSAGES, `/healthz answered before the replays finished (${progressAtHealth} of ${SOCKETS * MESSAGES})`);
      for (const s of opened) {
        const frames = s.of('message');
        assert.equal(frames.length, MESSAGES);
        const cursors = frames.map((f) => f.cursor!);
        assert.ok(
          cursors.every((c, i) => i === 0 || c > cursors[i - 1]!),
          'in cursor order, none twice',
        );
        for (let c = 0; c < CHATS; c++) {
          const texts = frames.map((f) => f.payload.text as string).filter((text) => text.startsWith(`c${c} `));
          assert.deepEqual(
            texts,
            Array.from({ length: MESSAGES / CHATS }, (_, n) => `c${c} m${n}`),
          );
        }
        assert.equal(s.closed, undefined);
      }
      assert.ok(largest <= PAGE, `the store was asked for at most ${PAGE} events at once, not ${largest}`);
      assert.ok(calls >= SOCKETS * Math.ceil(MESSAGES / PAGE), `the log was read page by page (${calls} reads)`);
    } finally {
      events.listSince = listSince;
    }
  });
});
