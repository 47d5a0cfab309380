/**
 * The client's other families and pages against a real server: the V-app API (`client.vapp`,
 * `VappError`), the rooms API (`client.rooms`, `RoomsError`), the administration routes
 * (`client.admin`), the system routes, and the async iterators over pages (`…Pages`), which
 * follow the `Link: rel="next"` (or `rel="prev"`) headers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { ParleyClient, ParleyError, RoomsError, VappError } from '../client/src/index.js';
import { clientServer, type ClientServer } from './client-helpers.js';
import { uniqueName } from './helpers.js';

let s: ClientServer;
before(async () => {
  s = await clientServer();
});
after(() => s.t.destroy());

/** Every page of an async iterator. */
async function all<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const seen: T[][] = [];
  for await (const page of pages) seen.push(page);
  return seen;
}

describe('typed errors per family', () => {
  test('native answers ParleyError, the V-app VappError, the rooms API RoomsError with its code', async () => {
    const anon = new ParleyClient({ baseUrl: s.url });
    await assert.rejects(anon.me(), (e: unknown) => e instanceof ParleyError && !(e instanceof VappError) && e.family === 'native' && e.status === 401);
    await assert.rejects(
      anon.vapp.users(),
      (e: unknown) => e instanceof VappError && e.family === 'vapp' && e.status === 400 && /missing token/.test(e.message),
    );
    await assert.rejects(anon.rooms.message(999_999), (e: unknown) => e instanceof RoomsError && e.status === 404 && e.code === 'RESOURCE_NOT_FOUND');
    await assert.rejects(anon.rooms.login({ username: 'nobody-here', secret: 'wrong password' }), (e: unknown) => e instanceof RoomsError && e.status === 401);
  });
});

describe('the V-app and rooms APIs', () => {
  test('V-app: signup keeps its token, users, a conversation, refresh', async () => {
    const bob = await s.user();
    const v = new ParleyClient({ baseUrl: s.url });
    const name = uniqueName('va');
    const signup = await v.vapp.signup({ name, password: 'correct horse battery', display_name: 'V App' });
    assert.equal(v.vapp.token, signup.token);
    assert.ok((await v.vapp.users()).some((u) => u.name === bob.username));
    const bobId = (await v.vapp.users()).find((u) => u.name === bob.username)!.id;
    const created = (await v.vapp.createConversation({ users: [bobId] })) as { id: string };
    assert.ok((await v.vapp.conversations()).some((c) => c.id === created.id));
    assert.equal((await v.vapp.conversation(created.id)).id, created.id);
    const fresh = await v.vapp.refreshToken({ name, password: 'correct horse battery' });
    assert.equal(v.vapp.token, fresh);
    assert.equal((await v.vapp.avatar('someone.svg')).headers.get('content-type')?.startsWith('image/svg+xml'), true);
  });

  test('rooms: register, login (keeps the native token), room messages in pages, one message, edit', async () => {
    const r = new ParleyClient({ baseUrl: s.url, WebSocket });
    const username = uniqueName('rm');
    await r.rooms.register({ username, secret: 'correct horse battery' });
    await r.rooms.login({ username, secret: 'correct horse battery' });
    assert.equal((await r.me()).username, username);
    const room = uniqueName('room');
    const socket = r.joinRoom(room);
    await new Promise<void>((resolve) => socket.once('open').then(() => resolve()));
    for (let i = 0; i < 5; i++) socket.say(`hello ${i}`);
    let messages: Awaited<ReturnType<typeof r.rooms.messages>> = [];
    while (messages.length < 5) messages = await r.rooms.messages(room, { count: 50 });
    socket.close();
    const pages = await all(r.rooms.messagePages(room, 2));
    assert.deepEqual(
      pages.flat().map((m) => m.id),
      messages.map((m) => m.id),
    );
    assert.equal((await r.rooms.room(room)).name ?? room, room);
    const first = messages.at(-1)!;
    assert.equal((await r.rooms.message(first.id)).text, 'hello 0');
    assert.equal((await r.rooms.editMessage(first.id, 'edited')).text, 'edited');
    assert.equal((await r.rooms.user((await r.me()).id)).username, username);
  });
});

describe('pages, admin and system', () => {
  test('chatPages, historyPages both ways, contactPages, searchUsersPages, allUsersPages', async () => {
    const ann = await s.user('pg');
    const bob = await s.user('pg');
    for (let i = 0; i < 3; i++) await ann.createChat({ title: `g${i}`, participants: [bob.id], isPersonal: false });
    const chats = await ann.listChats();
    assert.deepEqual(
      (await all(ann.chatPages(2))).flat().map((c) => c.id),
      chats.map((c) => c.id),
    );
    const chatId = chats[0]!.id;
    for (let i = 0; i < 5; i++) await ann.sendMessage(chatId, { text: `m${i}` });
    const history = await ann.history(chatId, { count: 100 });
    const back = await all(ann.historyPages(chatId, { count: 2 }));
    assert.deepEqual(
      back.map((p) => p.length),
      [2, 2, 1],
    );
    assert.deepEqual(
      back.flat().map((m) => m.id),
      history.map((m) => m.id),
    );
    const forward = await all(ann.historyPages(chatId, { count: 2, after: history.at(-1)!.id }));
    assert.deepEqual(
      forward.flatMap((p) => p.map((m) => m.id).reverse()),
      history
        .slice(0, -1)
        .reverse()
        .map((m) => m.id),
    );
    await ann.addContact(bob.id);
    assert.equal((await all(ann.contactPages(1))).flat()[0]?.user.id, bob.id);
    assert.deepEqual(
      (await all(ann.searchUsersPages(bob.username, 1))).flat().map((u) => u.id),
      [bob.id],
    );
    const newest = (await all(ann.allUsersPages(1)))[0]!;
    assert.equal(newest[0]?.id, bob.id);
  });

  test('threadPages, chat retention, the data export', async () => {
    const ann = await s.user('th');
    const bob = await s.user('th');
    const chat = await ann.createChat({ title: 'Thread pages', participants: [bob.id], isPersonal: false });
    const root = await ann.sendMessage(chat.id, { text: 'root' });
    for (let i = 0; i < 5; i++) await bob.sendMessage(chat.id, { text: `r${i}`, threadId: root.id });
    const thread = await ann.thread(chat.id, root.id, { count: 100 });
    const pages = await all(ann.threadPages(chat.id, root.id, 2));
    assert.deepEqual(
      pages.map((p) => p.length),
      [2, 2, 1],
    );
    assert.deepEqual(
      pages.flat().map((m) => m.id),
      thread.map((m) => m.id),
    );
    assert.deepEqual(await ann.chatRetention(chat.id), { retentionDays: null, effectiveDays: null });
    assert.deepEqual(await ann.setChatRetention(chat.id, 30), { retentionDays: 30, effectiveDays: 30 });
    await assert.rejects(bob.setChatRetention(chat.id, 1), (e: unknown) => e instanceof ParleyError && e.status === 403);
    const started = await ann.startExport();
    assert.equal(started.status, 'running');
    let state = await ann.exportData();
    // The export runs in the background: ask again until the file is there (202 until then).
    while (state.status === 'running') {
      await new Promise((r) => setTimeout(r, 50));
      state = await ann.exportData();
    }
    assert.equal(JSON.parse(state.jsonl.split('\n')[0]!).type, 'export');
  });

  test('admin: createUser, getUser, sessionPages, setDisabled; device push token; system routes; download', async () => {
    const root = await s.user('admin');
    await s.t.app.core.admin.setRole(root.username, 'admin');
    const made = await root.admin.createUser({ username: uniqueName('made'), name: 'Made', password: 'correct horse battery' });
    assert.equal((await root.admin.getUser(made.id)).username, made.username);
    assert.equal((await root.admin.setDisabled(made.id)).disabledAt !== null, true);
    assert.equal((await all(root.admin.sessionPages(root.id, 1))).flat().length, 1);
    await assert.rejects((await s.user()).admin.getUser(made.id), (e: unknown) => e instanceof ParleyError && e.status === 403);
    const device = await root.updateDevice({ deviceName: 'Pixel', deviceToken: 'fcm-token-1', transport: 'fcm' });
    assert.ok(device);
    assert.equal(await root.health(), true);
    assert.ok(await root.ready());
    assert.ok((await root.jwks()).keys.length > 0);
    const up = await root.upload(Buffer.from('hello file'), { contentType: 'text/plain' });
    assert.equal(await (await root.download(up.name)).text(), 'hello file');
    assert.equal((await root.download(up.name, { method: 'HEAD', route: 'files' })).status, 200);
  });
});
