/** The client library's REST methods against a real server: accounts, users, files, chats, contacts. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ParleyClient, ParleyError } from '../client/src/index.js';
import { clientServer, type ClientServer } from './client-helpers.js';
import { makePng } from './media-helpers.js';

let s: ClientServer;
before(async () => {
  s = await clientServer();
});
after(() => s.t.destroy());

const rejectsWith = (promise: Promise<unknown>, status: number) =>
  assert.rejects(promise, (error: unknown) => error instanceof ParleyError && error.status === status);

describe('accounts and users', () => {
  test('bad input and bad credentials are ParleyErrors with the problem details', async () => {
    const anon = new ParleyClient({ baseUrl: s.url });
    await assert.rejects(anon.register({ name: 'x', username: 'no spaces', password: 'short' }), (error: unknown) => {
      assert.ok(error instanceof ParleyError);
      assert.equal(error.status, 400);
      assert.equal(error.type, 'urn:parley:problem:validation');
      assert.ok(error.invalidParameters.length > 0);
      return true;
    });
    await rejectsWith(anon.me(), 401);
    const ann = await s.user();
    await rejectsWith(new ParleyClient({ baseUrl: s.url }).login({ username: ann.username, password: 'wrong password' }), 401);
  });

  test('register, login, me, getUser, searchUsers and updateMe', async () => {
    const ann = await s.user('ann');
    const again = new ParleyClient({ baseUrl: `${s.url}/` });
    const answer = await again.login({ username: ann.username, password: 'correct horse battery' });
    assert.equal(answer.id, ann.id);
    assert.equal(again.token, answer.token);
    await again.updateMe({ name: 'Ann Again', about: 'hi' });
    const me = await again.me();
    assert.equal(me.name, 'Ann Again');
    assert.equal(me.about, 'hi');
    assert.equal((me.deviceSessions ?? []).length, 2);
    const bob = await s.user('bob');
    assert.equal((await bob.getUser(ann.id)).username, ann.username);
    const found = await bob.searchUsers(ann.username, { limit: 5 });
    assert.deepEqual(
      found.map((u) => u.id),
      [ann.id],
    );
    await rejectsWith(bob.getUser(999_999), 404);
    await again.logout();
    assert.equal(again.token, undefined);
    await rejectsWith(new ParleyClient({ baseUrl: s.url, token: answer.token }).me(), 401);
  });

  test('upload a PNG as raw body, make it a photo, delete it', async () => {
    const ann = await s.user();
    const png = await makePng(40, 30);
    const up = await ann.upload(png, { contentType: 'image/png' });
    assert.match(up.name, /\.png$/);
    assert.equal(up.name, `${up.id}.png`);
    await ann.addPhoto(up.id);
    const photo = (await ann.me()).photos[0];
    assert.equal(photo?.id, up.id);
    assert.equal(photo?.previewWidth, 40);
    assert.equal((await fetch(s.url + new URL(photo!.url).pathname)).status, 200);
    await ann.deletePhoto(up.id);
    assert.equal((await ann.me()).photos.length, 0);
    await rejectsWith(ann.upload(Buffer.from('<html>'), { contentType: 'image/png' }), 415);
  });
});

describe('chats, messages and contacts', () => {
  test('a personal chat: idempotent send, history, unread count, read, edit, delete, notify', async () => {
    const ann = await s.user();
    const bob = await s.user();
    const chat = await ann.createChat({ participants: [bob.id] });
    assert.equal(chat.isPersonal, true);
    const first = await ann.sendMessage(chat.id, { localId: 'l-1', text: 'hello' });
    const retry = await ann.sendMessage(chat.id, { localId: 'l-1', text: 'hello' });
    assert.equal(retry.id, first.id, 'the same localId gives the first message');
    const second = await ann.sendMessage(chat.id, { text: 'second' });
    assert.ok(second.localId.length > 0, 'a localId is made when none is given');
    assert.deepEqual(
      (await bob.history(chat.id)).map((m) => m.text),
      ['second', 'hello'],
    );
    assert.deepEqual(
      (await bob.history(chat.id, { count: 1, before: second.id })).map((m) => m.id),
      [first.id],
    );
    const listed = (await bob.listChats()).find((c) => c.id === chat.id);
    assert.equal(listed?.unreadCount, 2);
    const read = await bob.readMessage(chat.id, second.id);
    assert.deepEqual(
      read.readMarks.map((r) => r.user.id),
      [bob.id],
    );
    assert.equal((await bob.getChat(chat.id)).unreadCount, 0);
    const edited = await ann.editMessage(chat.id, first.id, { text: 'hello!' });
    assert.ok(edited.editedAt);
    const deleted = await ann.deleteMessage(chat.id, second.id);
    assert.ok(deleted.deletedAt);
    await rejectsWith(bob.editMessage(chat.id, first.id, { text: 'not mine' }), 403);
    await ann.notify(chat.id, { name: 'typing_started' });
    await rejectsWith(ann.notify(chat.id, { name: '' }), 400);
    await rejectsWith(ann.sendMessage('00000000-0000-4000-8000-000000000000', { text: 'x' }), 404);
  });

  test('a group: create, rename, add and remove members, leave', async () => {
    const [ann, bob, cat] = [await s.user(), await s.user(), await s.user()];
    const group = await ann.createChat({ title: 'Trio', participants: [bob.id], isPersonal: false });
    assert.equal(group.isPersonal, false);
    const added = await ann.addChatUsers(group.id, [cat.id]);
    assert.deepEqual(
      added.addedUsers?.map((u) => u.id),
      [cat.id],
    );
    assert.equal((await cat.renameChat(group.id, 'Four')).title, 'Four');
    await rejectsWith(bob.removeChatUsers(group.id, [cat.id]), 403);
    const removed = await ann.removeChatUsers(group.id, [cat.id]);
    assert.deepEqual(
      removed.removedUsers?.map((u) => u.id),
      [cat.id],
    );
    await rejectsWith(cat.getChat(group.id), 404);
    await bob.leaveChat(group.id);
    assert.deepEqual(
      (await ann.getChat(group.id)).allUsers.map((u) => u.id),
      [ann.id],
    );
  });

  test('contacts: add, list, delete', async () => {
    const ann = await s.user();
    const bob = await s.user();
    const contact = await ann.addContact(bob.id, { name: 'Bobby', isFavorite: true });
    assert.equal(contact.user.id, bob.id);
    assert.deepEqual(
      (await ann.listContacts()).map((c) => c.name),
      ['Bobby'],
    );
    await ann.deleteContact(contact.id);
    assert.deepEqual(await ann.listContacts(), []);
    await rejectsWith(ann.addContact(ann.id), 400);
  });
});

test("the README's ten lines work as written", async () => {
  const bob = await s.user('bob');
  const annUser = await s.user('ann');
  const { WebSocket } = await import('ws');
  const seen: string[] = [];
  const console = { log: (line: string) => seen.push(line) };

  const ann = new ParleyClient({ baseUrl: s.url, WebSocket });
  await ann.login({ username: annUser.username, password: 'correct horse battery' });
  const [found] = await ann.searchUsers(bob.username);
  const chat = await ann.createChat({ participants: [found!.id] });
  const socket = ann.socket();
  socket.on('message', (m) => console.log(`${m.author.name}: ${m.text}`));
  socket.on('auxiliary', (a) => a.name === 'typing_started' && console.log('typing…'));
  await socket.once('open');
  await bob.notify(chat.id, { name: 'typing_started' });
  await ann.sendMessage(chat.id, { text: 'Hi Bob' });

  const deadline = Date.now() + 5000;
  while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen.sort(), [`Name ${annUser.username}: Hi Bob`, 'typing…'].sort());
  socket.close();
});
