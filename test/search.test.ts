import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { client, invalidNames, register, startApp, type Registered, type TestApp } from './helpers.js';

describe('search', () => {
  let t: TestApp;
  let a: Registered, b: Registered, c: Registered;
  let A: ReturnType<typeof client>, B: ReturnType<typeof client>, C: ReturnType<typeof client>;
  // A clock the tests move, so that "joined after the message" never falls in one millisecond.
  let now = Date.now();
  const tick = () => (now += 10);
  before(async () => {
    t = await startApp({}, { clock: { now: () => now } });
    [a, b, c] = [await register(t.app), await register(t.app), await register(t.app)];
    [A, B, C] = [client(t.app, a.token), client(t.app, b.token), client(t.app, c.token)];
  });
  after(() => t.destroy());

  const newChat = async (participants: number[] = [b.id], title = 'Search') =>
    (await A('POST', '/chats', { title, participants, isPersonal: false })).json().id as string;
  const send = async (who: typeof A, chatId: string, text: string) => {
    tick();
    const res = await who('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { id: number; text: string };
  };
  const search = (who: typeof A, query: Record<string, string | number>) =>
    who('GET', `/search/messages?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`);
  const ids = async (who: typeof A, query: Record<string, string | number>) => {
    const res = await search(who, query);
    assert.equal(res.statusCode, 200, res.body);
    return (res.json().results as Array<{ message: { id: number } }>).map((r) => r.message.id);
  };

  it('finds a message by word, prefix and phrase, folding case and accents, and marks the words', async () => {
    const chatId = await newChat();
    const m = await send(A, chatId, 'Le Déploiement de vendredi est prêt, Zebrafish!');
    await send(A, chatId, 'nothing to see here');
    assert.deepEqual(await ids(B, { q: 'deploiement', chatId }), [m.id]);
    assert.deepEqual(await ids(B, { q: 'DÉPLO*', chatId }), [m.id]);
    assert.deepEqual(await ids(B, { q: '"de vendredi est"', chatId }), [m.id]);
    assert.deepEqual(await ids(B, { q: '"vendredi de"', chatId }), []);
    assert.deepEqual(await ids(B, { q: 'zebrafish -pret', chatId }), []);
    assert.deepEqual(await ids(B, { q: 'zebrafish -"nothing to"', chatId }), [m.id]);
    const [hit] = (await search(B, { q: 'deplo* zebrafish', chatId })).json().results;
    assert.equal(hit.chatId, chatId);
    assert.equal(hit.message.text, m.text);
    assert.deepEqual(
      hit.highlight.filter((s: { match: boolean }) => s.match).map((s: { text: string }) => s.text),
      ['Déploiement', 'Zebrafish'],
    );
    assert.equal(hit.highlight.map((s: { text: string }) => s.text).join(''), m.text);
  });

  it('hides messages from non-members, from members who joined after them, and after leaving', async () => {
    const chatId = await newChat();
    const early = await send(A, chatId, 'quokka before the join');
    assert.deepEqual(await ids(C, { q: 'quokka' }), []);
    tick();
    assert.equal((await A('POST', `/chats/${chatId}/users`, { users: [c.id] })).statusCode, 200);
    const late = await send(A, chatId, 'quokka after the join');
    assert.deepEqual(await ids(C, { q: 'quokka' }), [late.id]);
    assert.deepEqual(await ids(B, { q: 'quokka', sort: 'recent' }), [late.id, early.id]);
    tick();
    assert.equal((await C('DELETE', `/chats/${chatId}/me`)).statusCode, 200);
    assert.deepEqual(await ids(C, { q: 'quokka' }), []);
  });

  it('re-indexes edits and forgets deleted messages', async () => {
    const chatId = await newChat();
    const m = await send(A, chatId, 'the wombat sleeps');
    tick();
    assert.equal((await A('PUT', `/chats/${chatId}/messages/${m.id}`, { text: 'the platypus sleeps' })).statusCode, 200);
    assert.deepEqual(await ids(B, { q: 'wombat' }), []);
    assert.deepEqual(await ids(B, { q: 'platypus' }), [m.id]);
    tick();
    assert.equal((await A('DELETE', `/chats/${chatId}/messages/${m.id}`)).statusCode, 200);
    assert.deepEqual(await ids(B, { q: 'platypus' }), []);
    assert.deepEqual(await ids(B, { q: 'sleeps' }), []);
  });

  it('filters by author and time', async () => {
    const chatId = await newChat();
    const first = await send(A, chatId, 'narwhal one');
    const second = await send(B, chatId, 'narwhal two');
    assert.deepEqual(await ids(A, { q: 'narwhal', from: b.id }), [second.id]);
    const between = new Date(now - 5).toISOString();
    assert.deepEqual(await ids(A, { q: 'narwhal', before: between }), [first.id]);
    assert.deepEqual(await ids(A, { q: 'narwhal', after: between }), [second.id]);
  });

  it('ranks by relevance with recency breaking ties, or newest first', async () => {
    const chatId = await newChat();
    const weak = await send(A, chatId, 'ocelot in a long sentence with many other words around it');
    const strong = await send(A, chatId, 'ocelot ocelot');
    const tie = await send(A, chatId, 'ocelot in a long sentence with many other words around it');
    assert.deepEqual(await ids(B, { q: 'ocelot' }), [strong.id, tie.id, weak.id]);
    assert.deepEqual(await ids(B, { q: 'ocelot', sort: 'recent' }), [tie.id, strong.id, weak.id]);
  });

  it('pages by cursor without repeating or skipping while others send', async () => {
    const chatId = await newChat();
    const sent: number[] = [];
    for (let i = 0; i < 23; i++) sent.push((await send(A, chatId, `axolotl ${'filler '.repeat(i % 5)}${i}`)).id);
    for (const sort of ['relevance', 'recent']) {
      const seen: number[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 20; pages++) {
        const res = await search(B, { q: 'axolotl', chatId, limit: 5, sort, ...(cursor ? { cursor } : {}) });
        assert.equal(res.statusCode, 200, res.body);
        const page = res.json();
        seen.push(...page.results.map((r: { message: { id: number } }) => r.message.id));
        // Others keep sending matching messages (short ones rank high) while the caller pages.
        await Promise.all([send(A, chatId, 'axolotl'), send(B, chatId, `axolotl ${'filler '.repeat(pages % 5)}`), send(A, chatId, 'unrelated')]);
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      assert.equal(new Set(seen).size, seen.length, `no repeats (${sort})`);
      for (const id of sent) assert.ok(seen.includes(id), `message ${id} seen (${sort})`);
    }
  });

  it('answers malformed queries with 400 or an empty page, never 500', async () => {
    const chatId = await newChat();
    await send(A, chatId, 'the and of');
    assert.deepEqual(invalidNames(await search(B, { q: '"unbalanced' })), ['q']);
    assert.deepEqual(invalidNames(await search(B, { q: '-*"" '.repeat(256) })), ['q']);
    assert.deepEqual(invalidNames(await search(B, { q: 'a*' })), ['q']);
    assert.deepEqual(invalidNames(await search(B, { q: '' })), ['q']);
    assert.deepEqual(invalidNames(await search(B, { q: 'x', cursor: 'not-a-cursor' })), ['cursor']);
    for (const q of ['the and of', '*** --- ()', 'AND OR NOT NEAR', '-only', '""', 'x:* & !y', "o'reilly)", '\\ % _ ;']) {
      const res = await search(B, { q });
      assert.ok([200, 400].includes(res.statusCode), `${q}: ${res.statusCode} ${res.body}`);
    }
    assert.deepEqual((await search(B, { q: 'the and of' })).json(), { results: [], nextCursor: null });
  });

  it('refuses a cursor from another search', async () => {
    const chatId = await newChat();
    for (let i = 0; i < 3; i++) await send(A, chatId, `capybara ${i}`);
    const { nextCursor } = (await search(B, { q: 'capybara', limit: 1 })).json();
    assert.equal(typeof nextCursor, 'string');
    assert.deepEqual(invalidNames(await search(B, { q: 'capybara', limit: 1, sort: 'recent', cursor: nextCursor })), ['cursor']);
  });

  it('finds chats by title and member names', async () => {
    const titled = await newChat([b.id], 'Équipe Lynx');
    const withC = await newChat([c.id], 'Misc');
    const found = async (q: string) => {
      const res = await A('GET', `/search/chats?q=${encodeURIComponent(q)}`);
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as Array<{ id: string }>).map((chat) => chat.id);
    };
    assert.deepEqual(await found('equipe lyn*'), [titled]);
    assert.ok((await found(c.username)).includes(withC));
    assert.ok(!(await found(c.username)).includes(titled));
    assert.deepEqual(await B('GET', `/search/chats?q=misc`).then((r) => r.json()), []);
    assert.deepEqual(invalidNames(await A('GET', '/search/chats?q=%22open')), ['q']);
  });

  it('ranks the exact username first in GET /users?s=', async () => {
    const base = `rank${process.pid}${Date.now() % 100000}`;
    const longer = await register(t.app, { username: `${base}zz`, displayName: 'Longer' });
    const named = await register(t.app, { username: `x${base}`, displayName: 'Contains' });
    const exact = await register(t.app, { username: base, displayName: 'Exact' });
    const res = await A('GET', `/users?s=${base}`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      res.json().map((u: { id: number }) => u.id),
      [exact.id, longer.id, named.id],
    );
  });

  it('requires a token', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/search/messages?q=x' })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'GET', url: '/search/chats?q=x' })).statusCode, 401);
  });
});
