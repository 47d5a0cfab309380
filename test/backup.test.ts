/**
 * `parley backup` is an online backup: a real server process takes a write load of messages
 * from several senders over HTTP while the backup CLI runs; the backup restored into a fresh
 * DATA_DIR serves every message acknowledged before the backup began, and the uploads.
 * `parley restore` refuses a DATA_DIR with a running server, or with data, unless --force.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { migrationNames } from '../src/adapters/store/migrations.js';
import { tempDir } from './helpers.js';
import { assertFailed, parley } from './cli-helpers.js';
import { makePng } from './media-helpers.js';
import { chatHistory, http, registerOn, startServer, type RemoteUser, type ServerProcess } from './server-process.js';

const SENDERS = 6;
/** A server start through tsx can take long on a busy machine. */
const START_MS = 60_000;

interface Acked {
  id: number;
  localId: string;
}

/** Sends from `user` until `running()` is false; records every message answered 200. */
async function sendWhile(running: () => boolean, url: string, user: RemoteUser, chatId: string, acked: Acked[]) {
  for (let i = 0; running(); i++) {
    const localId = randomUUID();
    const res = await http(`${url}/chats/${chatId}/messages`, { token: user.token, body: { localId, text: `${user.username} ${i}` } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    acked.push({ id: res.body.id, localId });
  }
}

describe('parley backup and restore', () => {
  it('an online backup under a write load holds every message acknowledged before it began, and the uploads', async (t) => {
    const source = tempDir('parley-backup-src-');
    const target = tempDir('parley-backup-dst-');
    const backupDir = path.join(tempDir('parley-backup-'), 'snapshot');
    let server: ServerProcess | undefined;
    let restored: ServerProcess | undefined;
    try {
      server = await startServer({ DATA_DIR: source }, START_MS);
      const url = server.url;
      const users: RemoteUser[] = [];
      for (let i = 0; i < SENDERS; i++) users.push(await registerOn(url, 'bak'));
      const chat = await http(`${url}/chats`, {
        token: users[0]!.token,
        body: { title: 'Backup', participants: users.slice(1).map((u) => u.id), isPersonal: false },
      });
      assert.equal(chat.status, 200, JSON.stringify(chat.body));
      const chatId: string = chat.body.id;
      const png = await makePng(40, 30);
      const uploaded = await fetch(`${url}/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${users[0]!.token}`, 'content-type': 'image/png' },
        body: png,
      });
      assert.equal(uploaded.status, 200);
      const { name } = (await uploaded.json()) as { name: string };

      let sending = true;
      const acked: Acked[] = [];
      const senders = users.map((user) => sendWhile(() => sending, url, user, chatId, acked));
      while (acked.length < SENDERS * 5) await new Promise((r) => setTimeout(r, 20));
      const beforeBackup = [...acked];
      const result = await parley(['backup', backupDir], { DATA_DIR: source });
      const duringBackup = acked.length - beforeBackup.length;
      sending = false;
      await Promise.all(senders);
      assert.equal(result.code, 0, result.stderr);
      assert.ok(duringBackup > 0, 'the load went on while the backup ran');

      assert.deepEqual(readdirSync(backupDir).sort(), ['manifest.json', 'parley.db', 'uploads'], 'one self-contained database file');
      const manifest = JSON.parse(readFileSync(path.join(backupDir, 'manifest.json'), 'utf8'));
      assert.equal(manifest.schemaVersion, migrationNames().at(-1));
      assert.ok(manifest.counts.messages >= beforeBackup.length, JSON.stringify(manifest));
      assert.equal(manifest.counts.users, SENDERS);
      assert.ok(manifest.uploads.files >= 2, 'the upload and its preview'); // image + preview

      assertFailed(await parley(['restore', backupDir], { DATA_DIR: source }), /server is running/);
      assert.equal((await parley(['restore', backupDir], { DATA_DIR: target })).code, 0);
      assertFailed(await parley(['restore', backupDir], { DATA_DIR: target }), /already holds data.*--force/);
      assert.equal((await parley(['restore', backupDir, '--force'], { DATA_DIR: target })).code, 0);

      restored = await startServer({ DATA_DIR: target }, START_MS);
      const stored = new Map((await chatHistory<Acked>(restored.url, users[0]!.token, chatId)).map((m) => [m.id, m]));
      for (const message of beforeBackup) assert.equal(stored.get(message.id)?.localId, message.localId, `message ${message.id} is in the backup`);
      const file = await fetch(`${restored.url}/uploads/${name}`);
      assert.equal(file.status, 200);
      assert.deepEqual(Buffer.from(await file.arrayBuffer()), png);
      t.diagnostic(`${beforeBackup.length} acknowledged before the backup, ${duringBackup} during it; the backup holds ${manifest.counts.messages}`);
    } finally {
      await server?.kill();
      if (restored) assert.equal(await restored.stop(), 0, restored.output());
      for (const dir of [source, target, path.dirname(backupDir)]) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses with PostgreSQL (pg_dump does that) and for a folder that is not a backup', async () => {
    const dir = tempDir('parley-backup-pg-');
    try {
      assertFailed(await parley(['backup', path.join(dir, 'b')], { DATA_DIR: dir, DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x' }), /pg_dump/);
      assertFailed(await parley(['restore', dir], { DATA_DIR: dir }), /not a parley backup/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
