/** The client library's methods for reactions, replies, threads, edit history and pins against a real server. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ParleyError } from '../client/src/index.js';
import { clientServer, type ClientServer } from './client-helpers.js';

let s: ClientServer;
before(async () => {
  s = await clientServer();
});
after(() => s.t.destroy());

test('react, reply, read the edit history, pin and unpin', async () => {
  const [ann, bob] = [await s.user(), await s.user()];
  const chat = await ann.createChat({ title: 'Client', participants: [bob.id], isPersonal: false });
  const root = await bob.sendMessage(chat.id, { text: 'root' });
  const reply = await ann.sendMessage(chat.id, { text: 'reply', replyTo: root.id });
  assert.deepEqual(reply.replyTo, { id: root.id, authorId: bob.id, text: 'root', isVisible: true });
  assert.deepEqual((await ann.addReaction(chat.id, root.id, '❤️')).reactions, [{ emoji: '❤️', count: 1, me: true }]);
  assert.deepEqual((await bob.addReaction(chat.id, root.id, '❤️')).reactions, [{ emoji: '❤️', count: 2, me: true }]);
  assert.deepEqual((await ann.removeReaction(chat.id, root.id, '❤️')).reactions, [{ emoji: '❤️', count: 1, me: false }]);
  await assert.rejects(ann.addReaction(chat.id, root.id, 'not one'), (e: unknown) => e instanceof ParleyError && e.status === 400);
  await bob.editMessage(chat.id, root.id, { text: 'root, edited' });
  assert.deepEqual(
    (await ann.editHistory(chat.id, root.id)).map((e) => e.text),
    ['root'],
  );
  assert.deepEqual((await ann.pin(chat.id, root.id)).pinned, [root.id]);
  assert.deepEqual(
    (await bob.pins(chat.id)).map((m) => m.text),
    ['root, edited'],
  );
  assert.deepEqual((await ann.unpin(chat.id, root.id)).pinned, []);
});

test('reply in a thread and page it', async () => {
  const [ann, bob] = [await s.user(), await s.user()];
  const chat = await ann.createChat({ title: 'Threads', participants: [bob.id], isPersonal: false });
  const root = await bob.sendMessage(chat.id, { text: 'root' });
  const first = await ann.sendMessage(chat.id, { text: 'one', threadId: root.id });
  const second = await bob.sendMessage(chat.id, { text: 'two', threadId: root.id });
  assert.equal(first.threadId, root.id);
  assert.deepEqual(
    (await ann.thread(chat.id, root.id)).map((m) => m.id),
    [second.id, first.id],
  );
  assert.deepEqual(
    (await ann.thread(chat.id, root.id, { count: 1, before: second.id })).map((m) => m.id),
    [first.id],
  );
  const [latest] = await ann.history(chat.id, { count: 1 });
  assert.equal(latest!.id, root.id);
  assert.deepEqual(latest!.thread?.participants, [ann.id, bob.id]);
  await assert.rejects(ann.thread(chat.id, first.id), (e: unknown) => e instanceof ParleyError && e.status === 400);
});
