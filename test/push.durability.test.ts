// @one-pass: starts its own SQLite and PostgreSQL servers; the PostgreSQL + Redis pass would run it again unchanged.
/**
 * The push outbox survives kill -9: with FCM unavailable (503) or unreachable, messages are
 * sent and acknowledged, the server process is killed, and after a restart on the same data
 * with FCM back, every one of those messages is pushed. On SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { tempDir } from './helpers.js';
import { startFcmStandIn } from './push-stand-ins/fcm.js';
import { eventually } from './push-stand-ins/tls.js';
import { freePort, http, startServer } from './server-process.js';
import { createTestSchema, postgresService } from './services.js';

const MESSAGES = 20;

async function registerWithDevice(url: string, pushToken: string | undefined) {
  const username = `pd${process.pid}x${randomUUID().slice(0, 8)}`;
  const deviceInfo = pushToken ? { id: randomUUID(), token: pushToken, transport: 'fcm' } : undefined;
  const res = await http(`${url}/users`, { body: { name: `Name ${username}`, username, password: 'correct horse battery', deviceInfo } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { id: res.body.id as number, token: res.body.token as string };
}

async function crashAndDeliver(env: Record<string, string>, fcmDown: boolean): Promise<string> {
  const fcm = await startFcmStandIn();
  const pushToken = `fcm-${randomUUID()}`;
  const delivered = new Set<string>();
  let failed = 0;
  fcm.answer = () => (failed++, { status: 503, body: { error: { status: 'UNAVAILABLE' } } });
  // Down: nothing listens where messages:send should be (the token endpoint still answers).
  const apiUrl = fcmDown ? `http://127.0.0.1:${await freePort()}` : fcm.url;
  // Enough attempts that no push is dropped however slowly this machine runs the first phase.
  const serverEnv = { ...env, ...fcm.env, PUSH_RETRY_BASE_MS: '50', PUSH_MAX_ATTEMPTS: '20' };
  const first = await startServer({ ...serverEnv, FCM_API_URL: apiUrl });
  let second: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    const a = await registerWithDevice(first.url, undefined);
    const b = await registerWithDevice(first.url, pushToken);
    const chat = await http(`${first.url}/chats`, { token: a.token, body: { participants: [b.id] } });
    assert.equal(chat.status, 200, JSON.stringify(chat.body));
    const sent: string[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const res = await http(`${first.url}/chats/${chat.body.id}/messages`, { token: a.token, body: { localId: randomUUID(), text: `m${i}` } });
      assert.equal(res.status, 200);
      sent.push(String(res.body.id));
    }
    if (!fcmDown) await eventually(() => failed >= 1, 'FCM to refuse an attempt');
    else await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(delivered.size, 0);
    await first.kill();

    fcm.answer = (push) => {
      if (push.message.token === pushToken) delivered.add(push.message.data.messageId);
      return { status: 200, body: {} };
    };
    second = await startServer({ ...serverEnv, FCM_API_URL: fcm.url });
    // Rows the killed process had leased wait for their lease (30 s) to lapse.
    await eventually(() => delivered.size === MESSAGES, `all ${MESSAGES} pushes after the restart`, 60_000);
    assert.deepEqual([...delivered].sort(), [...sent].sort());
    assert.deepEqual(fcm.refused, []);
    return `${failed} attempts refused before the crash, ${delivered.size} pushes after the restart`;
  } finally {
    await first.kill();
    if (second) assert.equal(await second.stop(), 0, second.output());
    await fcm.close();
  }
}

const postgres = await postgresService();

describe('the push outbox survives kill -9', () => {
  it('on SQLite, FCM answering 503 before the crash', async (t) => {
    const dataDir = tempDir('parley-push-durability-');
    try {
      t.diagnostic(await crashAndDeliver({ DATA_DIR: dataDir }, false));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('on PostgreSQL, FCM unreachable before the crash', { skip: postgres.skip }, async (t) => {
    const schema = await createTestSchema();
    const dataDir = tempDir('parley-push-durability-');
    try {
      t.diagnostic(await crashAndDeliver({ DATA_DIR: dataDir, DATABASE_URL: schema.url }, true));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await schema.drop();
    }
  });
});
