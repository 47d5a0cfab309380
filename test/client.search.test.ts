/** The client library's search methods against a real server over HTTP. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ParleyError } from '../client/src/index.js';
import { clientServer, type ClientServer } from './client-helpers.js';

let s: ClientServer;
before(async () => {
  s = await clientServer();
});
after(() => s.t.destroy());

test('searchMessages pages with nextCursor, searchChats finds by title, bad queries are ParleyErrors', async () => {
  const ann = await s.user('ann');
  const bob = await s.user('bob');
  const chat = await ann.createChat({ title: 'Lighthouse crew', participants: [(await bob.me()).id], isPersonal: false });
  const sent = [];
  for (let i = 0; i < 3; i++) sent.push(await ann.sendMessage(chat.id, { text: `beacon number ${i}` }));
  const first = await bob.searchMessages({ q: 'beac*', limit: 2, sort: 'recent' });
  assert.deepEqual(
    first.results.map((r) => r.message.id),
    [sent[2]!.id, sent[1]!.id],
  );
  assert.equal(first.results[0]!.chatId, chat.id);
  assert.deepEqual(
    first.results[0]!.highlight.filter((h) => h.match).map((h) => h.text),
    ['beacon'],
  );
  assert.ok(first.nextCursor);
  const second = await bob.searchMessages({ q: 'beac*', limit: 2, sort: 'recent', cursor: first.nextCursor });
  assert.deepEqual(
    second.results.map((r) => r.message.id),
    [sent[0]!.id],
  );
  assert.equal(second.nextCursor, null);
  assert.deepEqual(
    (await bob.searchChats('lighthouse')).map((c) => c.id),
    [chat.id],
  );
  await assert.rejects(bob.searchMessages({ q: '"open' }), (error: unknown) => error instanceof ParleyError && error.status === 400);
});
