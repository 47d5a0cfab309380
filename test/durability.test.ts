// @one-pass: starts its own SQLite and PostgreSQL servers; the PostgreSQL + Redis pass would run it again unchanged.
/**
 * What the server acknowledged survives a crash: 16 members of one group chat send over
 * HTTP at once, the server process is killed with SIGKILL mid-stream, and after a restart on
 * the same data every acknowledged message is there with its seq, and the chat's seqs run
 * 1..max without a gap. On the embedded default (SQLite in DATA_DIR) and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { tempDir } from './helpers.js';
import { chatHistory, http, registerOn, startServer, type RemoteUser } from './server-process.js';
import { createTestSchema, postgresService } from './services.js';

const SENDERS = 16;
const SEND_MS = 2000;

interface Acked {
  id: number;
  seq: number;
  localId: string;
}

/** Sends from `user` until the server stops answering; records what it acknowledged. */
async function sendUntilDown(url: string, user: RemoteUser, chatId: string, acked: Acked[], refused: string[]) {
  for (let i = 0; i < 100_000; i++) {
    const localId = randomUUID();
    let res: Awaited<ReturnType<typeof http<{ id: number; seq: number }>>>;
    try {
      res = await http(`${url}/chats/${chatId}/messages`, { token: user.token, body: { localId, text: `${user.username} ${i}` } });
    } catch {
      return; // the server is gone: this message may or may not have been stored
    }
    if (res.status === 200) acked.push({ id: res.body.id, seq: res.body.seq, localId });
    else refused.push(`${res.status} ${JSON.stringify(res.body)}`);
  }
}

async function crashAndCheck(env: Record<string, string>): Promise<string> {
  const server = await startServer(env);
  let restarted: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    const users: RemoteUser[] = [];
    for (let i = 0; i < SENDERS; i++) users.push(await registerOn(server.url, 'dur'));
    const chat = await http(`${server.url}/chats`, {
      token: users[0]!.token,
      body: { title: 'Durability', participants: users.slice(1).map((u) => u.id), isPersonal: false },
    });
    assert.equal(chat.status, 200, JSON.stringify(chat.body));
    const chatId: string = chat.body.id;

    const acked: Acked[] = [];
    const refused: string[] = [];
    const senders = users.map((user) => sendUntilDown(server.url, user, chatId, acked, refused));
    await new Promise((resolve) => setTimeout(resolve, SEND_MS));
    const ackedBeforeKill = acked.length;
    await server.kill();
    await Promise.all(senders);
    assert.deepEqual(refused, [], 'no send was refused before the crash');
    assert.ok(ackedBeforeKill >= SENDERS, `the senders were sending (${ackedBeforeKill} acknowledged)`);

    restarted = await startServer(env);
    const stored = await chatHistory<Acked>(restarted.url, users[0]!.token, chatId);
    const byId = new Map(stored.map((m) => [m.id, m]));
    for (const message of acked) {
      const found = byId.get(message.id);
      assert.ok(found, `acknowledged message ${message.id} (seq ${message.seq}) survived`);
      assert.equal(found.seq, message.seq);
      assert.equal(found.localId, message.localId);
    }
    const seqs = stored.map((m) => m.seq);
    assert.deepEqual(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => i + 1),
      'seqs run 1..max without a gap',
    );
    assert.ok(seqs.length >= acked.length);
    // The chat's counter agrees with its messages: the next one follows the last.
    const next = await http(`${restarted.url}/chats/${chatId}/messages`, { token: users[1]!.token, body: { localId: randomUUID(), text: 'after the crash' } });
    assert.equal(next.status, 200);
    assert.equal(next.body.seq, seqs.length + 1);
    return `${acked.length} acknowledged, ${seqs.length - acked.length} more stored from requests cut by the kill`;
  } finally {
    await server.kill();
    if (restarted) assert.equal(await restarted.stop(), 0, restarted.output());
  }
}

const postgres = await postgresService();

describe('acknowledged messages survive kill -9', () => {
  it('on the embedded default (SQLite in DATA_DIR)', async (t) => {
    const dataDir = tempDir('parley-durability-');
    try {
      t.diagnostic(await crashAndCheck({ DATA_DIR: dataDir }));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('on PostgreSQL', { skip: postgres.skip }, async (t) => {
    const schema = await createTestSchema();
    const dataDir = tempDir('parley-durability-');
    try {
      t.diagnostic(await crashAndCheck({ DATA_DIR: dataDir, DATABASE_URL: schema.url }));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await schema.drop();
    }
  });
});
