/**
 * Issue 18, the native JSON document (maratal/ChatServer `Docs/APIREF-JSON.md` at the commit that
 * added the API reference, lines 69-93): MessageInfo `id: <UUID>` and `authorId: <Int>`. Parley's
 * ids are UUIDv7 (time-ordered), `seq` and `author` stay, and every route and socket action that
 * names a message takes that UUID (`Docs/APIREF-Chats.md`: `GET /chats/<id>/messages?count=
 * <number>&before=<id>`, `DELETE`/`PUT /chats/<id>/messages/<id>`, `PUT …/<id>/read`).
 * Migration 0013 gives the messages stored before it their UUIDs, in the logged events too.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { client, invalidNames, problemOf, register, startApp, type Registered, type TestApp } from './helpers.js';
import { createTestSchema, postgresService } from './services.js';
import { connect, listen, type TestSocket } from './ws-helpers.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('native message ids are UUIDs (issue 18)', () => {
  let t: TestApp;
  let url: string;
  let a: Registered, b: Registered, c: Registered;
  let A: ReturnType<typeof client>, B: ReturnType<typeof client>;
  const sockets: TestSocket[] = [];
  before(async () => {
    t = await startApp();
    url = await listen(t);
    [a, b, c] = [await register(t.app), await register(t.app), await register(t.app)];
    [A, B] = [client(t.app, a.token), client(t.app, b.token)];
  });
  after(async () => {
    for (const s of sockets) s.ws.terminate();
    await t.destroy();
  });
  const newChat = async () =>
    (await A('POST', '/chats', { title: `u${randomUUID().slice(0, 8)}`, participants: [b.id], isPersonal: false })).json().id as string;
  const send = async (who: typeof A, chatId: string, text: string) => {
    const res = await who('POST', `/chats/${chatId}/messages`, { localId: `${a.id}+${randomUUID()}`, text });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

  it('sends MessageInfo with a UUIDv7 id, authorId, author and seq; ids sort as the messages were sent', async () => {
    const chatId = await newChat();
    const sent = [];
    for (let i = 1; i <= 30; i++) sent.push(await send(i % 2 ? A : B, chatId, `m${i}`));
    for (const m of sent) {
      assert.match(m.id, UUID_V7);
      assert.equal(m.authorId, m.author.id);
    }
    assert.equal(sent[0].authorId, a.id);
    assert.equal(sent[1].authorId, b.id);
    assert.deepEqual(
      sent.map((m) => m.seq),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.deepEqual(
      [...sent.map((m) => m.id)].sort(),
      sent.map((m) => m.id),
      'time-ordered: sorting the ids gives the sending order',
    );
    assert.equal(new Set(sent.map((m) => m.id)).size, 30);
    const history = (await B('GET', `/chats/${chatId}/messages?count=200`)).json();
    assert.deepEqual(
      history.map((m: any) => m.id),
      sent.map((m) => m.id).reverse(),
    );
    const chat = (await B('GET', `/chats/${chatId}`)).json();
    assert.equal(chat.lastMessage.id, sent.at(-1).id);
    assert.equal(chat.lastMessage.authorId, b.id);
  });

  it('pages with before=<UUID>, and edits, reads and deletes by UUID; integer ids are a 400', async () => {
    const chatId = await newChat();
    const sent = [];
    for (let i = 1; i <= 5; i++) sent.push(await send(A, chatId, `p${i}`));
    // Docs/APIREF-Chats.md: GET /chats/<id>/messages?count=<number>&before=<id>.
    const page = (await B('GET', `/chats/${chatId}/messages?count=2&before=${sent[3].id}`)).json();
    assert.deepEqual(
      page.map((m: any) => m.seq),
      [3, 2],
    );
    assert.deepEqual((await B('GET', `/chats/${chatId}/messages?before=${sent[0].id.toUpperCase()}`)).json(), [], 'the id is matched case-insensitively');
    const edited = await A('PUT', `/chats/${chatId}/messages/${sent[4].id}`, { text: 'edited' });
    assert.equal(edited.statusCode, 200, edited.body);
    assert.equal(edited.json().id, sent[4].id);
    assert.ok(edited.json().editedAt);
    const read = await B('PUT', `/chats/${chatId}/messages/${sent[2].id}/read`);
    assert.equal(read.statusCode, 200, read.body);
    assert.equal(read.json().readMarks[0].user.id, b.id);
    const deleted = await A('DELETE', `/chats/${chatId}/messages/${sent[1].id}`);
    assert.equal(deleted.statusCode, 200, deleted.body);
    assert.equal(deleted.json().id, sent[1].id);
    assert.ok(deleted.json().deletedAt);
    for (const [method, suffix] of [
      ['PUT', `/${sent[0].seq}`],
      ['DELETE', '/1'],
      ['PUT', '/1/read'],
    ] as const) {
      assert.deepEqual(invalidNames(await A(method, `/chats/${chatId}/messages${suffix}`, method === 'PUT' ? {} : undefined)), ['messageId'], suffix);
    }
    assert.deepEqual(invalidNames(await A('GET', `/chats/${chatId}/messages?before=3`)), ['before']);
    problemOf(await A('PUT', `/chats/${chatId}/messages/${randomUUID()}`, { text: 'x' }), 404);
    const other = await send(A, await newChat(), 'elsewhere');
    problemOf(await A('PUT', `/chats/${chatId}/messages/${other.id}/read`), 404);
    problemOf(await client(t.app, c.token)('GET', `/chats/${chatId}/messages?before=${sent[3].id}`), 404);
  });

  it('carries the UUID in live events, the socket acks, the read action and search results', async () => {
    const chatId = await newChat();
    const sb = await connect(`${url}/ws?token=${b.token}`);
    sockets.push(sb);
    const m = await send(A, chatId, 'findable zanzibar');
    const [frame] = await sb.waitFor('message');
    assert.equal(frame!.payload.id, m.id);
    assert.equal(frame!.payload.authorId, a.id);
    // SPEC 5: {action: "send", chatId, localId, text}; the ack names the new message by its UUID.
    sb.send({ action: 'send', chatId, localId: `${b.id}+${randomUUID()}`, text: 'over the socket', requestId: 's' });
    const [sentAck] = await sb.waitFor('ack');
    assert.equal(sentAck!.payload.ok, true, JSON.stringify(sentAck));
    assert.match(sentAck!.payload.messageId, UUID_V7);
    const history = (await A('GET', `/chats/${chatId}/messages`)).json();
    assert.equal(history[0].id, sentAck!.payload.messageId);
    sb.send({ action: 'read', chatId, messageId: m.id, requestId: 'r' });
    const acks = await sb.waitFor('ack', 2);
    assert.equal(acks[1]!.payload.ok, true, JSON.stringify(acks[1]));
    assert.equal(acks[1]!.payload.messageId, m.id);
    sb.send({ action: 'read', chatId, messageId: m.seq, requestId: 'r2' });
    const refused = (await sb.waitFor('ack', 3))[2]!;
    assert.equal(refused.payload.ok, false);
    assert.equal(refused.payload.error, 'validation');
    await A('PUT', `/chats/${chatId}/messages/${m.id}`, { text: 'findable zanzibar, edited' });
    const [update] = await sb.waitFor('messageUpdate');
    assert.equal(update!.payload.id, m.id);
    const found = (await B('GET', '/search/messages?q=zanzibar')).json();
    assert.deepEqual(
      found.results.map((r: any) => r.message.id),
      [m.id],
    );
    assert.equal(found.results[0].message.authorId, a.id);
  });
});

/** Runs SQL on the app's database as an older Parley would have: SQLite file or PostgreSQL schema. */
type RawSql = (statement: string, values?: unknown[]) => Promise<any[]>;

const postgres = await postgresService();

async function rawSqlite(dataDir: string): Promise<{ run: RawSql; close(): Promise<void> }> {
  const db = new Database(path.join(dataDir, 'parley.db'));
  return {
    run: async (statement, values = []) => {
      const prepared = db.prepare(statement.replace(/\$\d+/g, '?'));
      return prepared.reader ? prepared.all(...values) : (prepared.run(...values), []);
    },
    close: async () => void db.close(),
  };
}

async function rawPostgres(url: string): Promise<{ run: RawSql; close(): Promise<void> }> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  return { run: async (statement, values = []) => (await db.query(statement, values)).rows, close: () => db.end() };
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`migration 0013 on a ${engine} database with messages from before`, { skip: engine === 'postgres' && postgres.skip }, () => {
    it('gives every old message a unique, time-ordered UUID, the same in the history and in replayed events', async () => {
      const schema = engine === 'postgres' ? await createTestSchema() : undefined;
      const t = await startApp({ DATABASE_URL: schema?.url ?? '' });
      const [a, b] = [await register(t.app), await register(t.app)];
      const chatId = (await client(t.app, a.token)('POST', '/chats', { participants: [b.id], isPersonal: true })).json().id;
      for (let i = 1; i <= 4; i++)
        await client(t.app, i % 2 ? a.token : b.token)('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: `old ${i}` });
      await t.close();
      // Back to the schema before 0013: no uuid column, events without it.
      const raw = schema ? await rawPostgres(schema.url) : await rawSqlite(t.dataDir);
      try {
        await raw.run('drop index messages_uuid_unique');
        await raw.run('alter table messages drop column uuid');
        await raw.run("delete from kysely_migration where name = '0013_message_uuids'");
        for (const row of await raw.run('select id, payload from events where message_id is not null')) {
          const event = JSON.parse(row.payload);
          delete event.message.message.uuid;
          await raw.run('update events set payload = $1 where id = $2', [JSON.stringify(event), row.id]);
        }
      } finally {
        await raw.close();
      }

      const reopened = await startApp({ DATABASE_URL: schema?.url ?? '' }, { dataDir: t.dataDir });
      const sockets: TestSocket[] = [];
      try {
        const history = (await client(reopened.app, b.token)('GET', `/chats/${chatId}/messages`)).json();
        assert.deepEqual(
          history.map((m: any) => m.text),
          ['old 4', 'old 3', 'old 2', 'old 1'],
        );
        for (const m of history) assert.match(m.id, UUID_V7);
        const ids = history.map((m: any) => m.id).reverse();
        assert.deepEqual([...ids].sort(), ids, 'ordered as the messages were sent');
        assert.equal(new Set(ids).size, 4);
        // Replayed from the start, the logged events name the same UUIDs.
        const sb = await connect(`${await listen(reopened)}/ws?token=${b.token}&since=0`);
        sockets.push(sb);
        const replayed = await sb.waitFor('message', 4);
        assert.deepEqual(
          replayed.map((f) => f.payload.id),
          ids,
        );
        // They are usable ids, and new messages get theirs on send.
        const read = await client(reopened.app, b.token)('PUT', `/chats/${chatId}/messages/${ids[2]}/read`);
        assert.equal(read.statusCode, 200, read.body);
        const fresh = (await client(reopened.app, a.token)('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: 'new' })).json();
        assert.match(fresh.id, UUID_V7);
        assert.ok(fresh.id > ids[3], 'after the old ones');
      } finally {
        for (const s of sockets) s.ws.terminate();
        await reopened.destroy();
        await schema?.drop();
      }
    });
  });
}
