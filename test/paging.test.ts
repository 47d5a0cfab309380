/**
 * One way to page every list (src/edge/paging.ts): `?cursor=` and `Link: <…>; rel="next"`, the
 * bodies as before. Each list is walked page by page while new items are inserted between the
 * pages: no item repeats and every item there at the start is seen exactly once, in the
 * unpaged order. Runs on PostgreSQL too with PARLEY_TEST_STORE=postgres.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { profileOf } from '../src/core/profiles.js';
import { comparePositions, decodeCursor, encodeCursor } from '../src/edge/paging.js';
import { client, invalidNames, register, startApp, uniqueName, type Registered, type TestApp } from './helpers.js';

type Caller = ReturnType<typeof client>;

/** The URL of `rel` in a Link header, or undefined. */
function linkOf(header: string | string[] | number | undefined, rel: string): string | undefined {
  for (const part of String(header ?? '').split(/,\s*(?=<)/)) {
    const match = /^<([^>]*)>;\s*rel="([^"]*)"/.exec(part);
    if (match?.[2] === rel) return match[1];
  }
  return undefined;
}

/** Walks `url` along `rel` links, running `between` after each page; the items of every page in order. */
async function walk<T>(as: Caller, url: string, between: () => Promise<unknown> = async () => {}, rel = 'next', pick = (body: any): T[] => body) {
  const pages: T[][] = [];
  for (let next: string | undefined = url; next; ) {
    const res = await as('GET', next);
    assert.equal(res.statusCode, 200, res.body);
    pages.push(pick(res.json()));
    next = linkOf(res.headers.link, rel);
    assert.ok(pages.length < 100, 'the walk ends');
    if (next) await between();
  }
  return pages;
}

/** Every item of `before` exactly once among `seen`, none twice, and in the same order. */
function assertWalked(seen: unknown[], before: unknown[]) {
  assert.equal(new Set(seen).size, seen.length, `no item twice: ${seen.join(',')}`);
  const kept = seen.filter((id) => before.includes(id));
  assert.deepEqual(kept, before);
}

describe('paging every list with cursors and Link headers', () => {
  let t: TestApp;
  let a: Registered;
  let b: Registered;
  let A: Caller;
  let B: Caller;
  const ids = (list: { id: unknown }[]) => list.map((x) => x.id);
  const newChat = async (title = 'Paged') => (await A('POST', '/chats', { title, participants: [b.id], isPersonal: false })).json().id as string;
  const send = async (chatId: string, text = 'hello') => {
    const res = await A('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().id as string;
  };

  before(async () => {
    t = await startApp({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1' });
    [a, b] = [await register(t.app), await register(t.app)];
    [A, B] = [client(t.app, a.token), client(t.app, b.token)];
    await t.app.core.admin.setRole(a.username, 'admin');
  });
  after(() => t.destroy());

  it('a cursor is opaque base64url, keeps its list, and a broken or foreign one is a 400 naming cursor', async () => {
    const cursor = encodeCursor('chats', [-5, 'x']);
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeCursor('chats', cursor, ['number', 'string']), [-5, 'x']);
    assert.equal(comparePositions([1, 'a'], [1, 'b']), -1);
    assert.deepEqual(invalidNames(await A('GET', `/chats?cursor=${encodeCursor('contacts', [1, 'x'])}`)), ['cursor']);
    assert.deepEqual(invalidNames(await A('GET', '/chats?cursor=bm90LWpzb24')), ['cursor']);
    assert.deepEqual(invalidNames(await A('GET', `/chats?cursor=${encodeCursor('chats', ['x', 'y'])}`)), ['cursor']);
    assert.deepEqual(invalidNames(await A('GET', '/chats?cursor=not*base64')), ['cursor']);
    assert.deepEqual(invalidNames(await A('GET', `/chats/${await newChat()}/messages?cursor=${encodeCursor('messages', ['sideways', randomUUID()])}`)), [
      'cursor',
    ]);
  });

  it('GET /chats: whole and without Link as before; by ?limit pages newest activity first while chats are created', async () => {
    for (let i = 0; i < 5; i++) await newChat(`c${i}`);
    const whole = await A('GET', '/chats');
    assert.equal(whole.headers.link, undefined);
    const before = ids(whole.json());
    const pages = await walk<{ id: string }>(A, '/chats?limit=2', () => newChat('meanwhile'));
    assert.ok(pages.length >= 3);
    assert.ok(pages.every((p) => p.length <= 2));
    assertWalked(ids(pages.flat()), before);
  });

  it('GET /chats/<id>/messages: back (rel=next) and forward (rel=prev, ?after=), newest first, while messages arrive', async () => {
    const chatId = await newChat();
    for (let i = 0; i < 7; i++) await send(chatId, `m${i}`);
    const before = ids((await A('GET', `/chats/${chatId}/messages?count=100`)).json());
    const back = await walk<{ id: string }>(A, `/chats/${chatId}/messages?count=3`, () => send(chatId, 'later'));
    assert.deepEqual(
      back.map((p) => p.length),
      [3, 3, 1],
    );
    assertWalked(ids(back.flat()), before);
    // Forward from the oldest: each page newest first, the pages towards the newest.
    const oldest = before.at(-1) as string;
    const forward = await walk<{ id: string }>(A, `/chats/${chatId}/messages?count=3&after=${oldest}`, () => send(chatId, 'even later'), 'prev');
    const seen = forward.flatMap((p) => ids(p).reverse());
    assertWalked(seen, [...before].reverse().slice(1));
    // A page back from somewhere links to the newer ones too: the two just after it.
    const middle = await A('GET', `/chats/${chatId}/messages?count=2&before=${before[2]}`);
    assert.deepEqual(ids(middle.json()), before.slice(3, 5));
    const prev = linkOf(middle.headers.link, 'prev')!;
    assert.deepEqual(ids((await A('GET', prev)).json()), before.slice(1, 3));
    assert.deepEqual(invalidNames(await A('GET', `/chats/${chatId}/messages?before=${oldest}&after=${oldest}`)), ['after']);
  });

  it('GET /chats/<id>/messages/<rootId>/thread pages back while replies arrive; the main history both ways leaves the replies out', async () => {
    const chatId = await newChat();
    const root = await send(chatId, 'root');
    const replyIn = async (text: string) => {
      const res = await A('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text, threadId: root });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().id as string;
    };
    for (let i = 0; i < 7; i++) await replyIn(`r${i}`);
    const whole = await A('GET', `/chats/${chatId}/messages/${root}/thread?count=100`);
    assert.equal(whole.headers.link, undefined);
    const before = ids(whole.json());
    assert.equal(before.length, 7);
    const pages = await walk<{ id: string }>(A, `/chats/${chatId}/messages/${root}/thread?count=3`, () => replyIn('later'));
    assert.deepEqual(
      pages.map((p) => p.length),
      [3, 3, 1],
    );
    assertWalked(ids(pages.flat()), before);
    // A cursor of this thread does not page another one.
    const other = await send(chatId, 'another root');
    const next = linkOf((await A('GET', `/chats/${chatId}/messages/${root}/thread?count=3`)).headers.link, 'next')!;
    const cursor = new URL(next, 'http://x').searchParams.get('cursor');
    assert.deepEqual(invalidNames(await A('GET', `/chats/${chatId}/messages/${other}/thread?cursor=${cursor}`)), ['cursor']);
    // Forward from the root (?after=), as back: only the main history, replies left out.
    const main = ids((await A('GET', `/chats/${chatId}/messages?count=100`)).json());
    assert.deepEqual(main, [other, root]);
    assert.deepEqual(ids((await A('GET', `/chats/${chatId}/messages?count=100&after=${root}`)).json()), [other]);
  });

  it('GET /users/me/mentions pages back while mentions arrive', async () => {
    const chatId = await newChat();
    const mention = () => B('POST', `/chats/${chatId}/messages`, { localId: randomUUID(), text: `hey @${a.username}` });
    for (let i = 0; i < 5; i++) assert.equal((await mention()).statusCode, 200);
    const before = ids((await A('GET', '/users/me/mentions?count=100')).json());
    assert.equal(before.length, 5);
    assertWalked(ids((await walk<{ id: string }>(A, '/users/me/mentions?count=2', mention)).flat()), before);
  });

  it('GET /users/me/contacts pages oldest first while contacts are added', async () => {
    const people = [];
    for (let i = 0; i < 5; i++) people.push(await register(t.app));
    for (const p of people) await A('POST', '/users/me/contacts', { user: { id: p.id } });
    const whole = await A('GET', '/users/me/contacts');
    assert.equal(whole.headers.link, undefined);
    const before = ids(whole.json());
    const more = async () => A('POST', '/users/me/contacts', { user: { id: (await register(t.app)).id } });
    assertWalked(ids((await walk<{ id: string }>(A, '/users/me/contacts?limit=2', more)).flat()), before);
  });

  it('GET /users/me/blocks pages newest block first while more users are blocked', async () => {
    const blocker = await register(t.app);
    const as = client(t.app, blocker.token);
    for (let i = 0; i < 5; i++) assert.equal((await as('PUT', `/users/me/blocks/${(await register(t.app)).id}`)).statusCode, 200);
    const whole = await as('GET', '/users/me/blocks');
    assert.equal(whole.headers.link, undefined);
    const before = ids(whole.json());
    assert.equal(before.length, 5);
    const first = await as('GET', '/users/me/blocks?limit=2');
    assert.deepEqual(ids(first.json()), before.slice(0, 2));
    assert.ok(linkOf(first.headers.link, 'next'), 'a next page is linked');
    const more = async () => as('PUT', `/users/me/blocks/${(await register(t.app)).id}`);
    assertWalked(ids((await walk<{ id: number }>(as, '/users/me/blocks?limit=2', more)).flat()), before);
    assert.deepEqual(invalidNames(await as('GET', `/users/me/blocks?cursor=${encodeCursor('bans', [1, 2])}`)), ['cursor']);
  });

  it('GET /users?s= (ranked search) and GET /users/all (newest first) page by cursor while users sign up', async () => {
    const stem = uniqueName('pager');
    const join = () => register(t.app, { username: `${stem}${randomUUID().slice(0, 6)}`, name: `Pager ${stem}` });
    await register(t.app, { username: stem, name: 'Exact' });
    for (let i = 0; i < 4; i++) await join();
    const before = ids((await A('GET', `/users?s=${stem}&limit=100`)).json());
    assert.equal(before.length, 5);
    assertWalked(ids((await walk<{ id: number }>(A, `/users?s=${stem}&limit=2`, join)).flat()), before);
    // offset still works as it did.
    assert.deepEqual(ids((await A('GET', `/users?s=${stem}&limit=2&offset=1`)).json()), before.slice(1, 3));
    const all = ids((await A('GET', '/users/all?count=100')).json());
    const seen = ids((await walk<{ id: number }>(A, '/users/all?count=3', join)).flat());
    assertWalked(seen, all);
  });

  it('GET /search/messages links its nextCursor; GET /search/chats pages by ?limit', async () => {
    const word = `zz${randomUUID().slice(0, 8)}`;
    const chatId = await newChat(`${word} room`);
    for (let i = 0; i < 5; i++) await send(chatId, `${word} number ${i}`);
    const whole = (await A('GET', `/search/messages?q=${word}&limit=50`)).json().results.map((r: any) => r.message.id);
    assert.equal(whole.length, 5);
    const pages = await walk(
      A,
      `/search/messages?q=${word}&limit=2&sort=recent`,
      () => send(chatId, `${word} later`),
      'next',
      (body) => body.results.map((r: any) => r.message.id),
    );
    assert.equal(new Set(pages.flat()).size, pages.flat().length);
    for (let i = 0; i < 3; i++) await newChat(`${word} chat ${i}`);
    const chats = ids((await A('GET', `/search/chats?q=${word}`)).json());
    assert.equal(chats.length, 4);
    const paged = await walk<{ id: string }>(A, `/search/chats?q=${word}&limit=1`);
    assert.deepEqual(ids(paged.flat()).sort(), [...chats].sort());
  });

  it('GET /api/v1/messages?room= (rooms API) pages back by its Link while messages are posted', async () => {
    const name = uniqueName('pagedroom');
    const author = profileOf(await t.app.core.users.getUser(a.id));
    const room = await t.app.core.rooms.openRoom(name, author);
    const post = () => t.app.core.rooms.post(author, room, `posted ${randomUUID().slice(0, 4)}`);
    for (let i = 0; i < 5; i++) await post();
    const whole = (await A('GET', `/api/v1/messages?room=${name}&count=100`)).json().data as { id: number }[];
    assert.equal(whole.length, 5);
    const pages = await walk<{ id: number }>(A, `/api/v1/messages?room=${name}&count=2`, post, 'next', (body) => body.data);
    assertWalked(ids(pages.flat()), ids(whole));
  });

  it('GET /chats/<id>/bans pages by ?limit; /admin/users, /admin/audit and /admin/reports link their nextCursor', async () => {
    const chatId = await newChat();
    const banned = [];
    for (let i = 0; i < 3; i++) {
      const u = await register(t.app);
      await A('POST', `/chats/${chatId}/users`, { users: [u.id] });
      assert.equal((await A('PUT', `/chats/${chatId}/bans/${u.id}`)).statusCode, 200);
      banned.push(u.id);
    }
    const whole = (await A('GET', `/chats/${chatId}/bans`)).json().map((b: any) => b.user.id);
    assert.equal(whole.length, 3);
    const pages = await walk(
      A,
      `/chats/${chatId}/bans?limit=2`,
      async () => {},
      'next',
      (body) => body.map((b: any) => b.user.id),
    );
    assertWalked(pages.flat(), whole);
    const users = (
      await walk(
        A,
        '/admin/users?limit=2',
        async () => {},
        'next',
        (body) => body.users.map((u: any) => u.id),
      )
    ).flat();
    assert.ok(users.length >= 3 && new Set(users).size === users.length);
    const audit = (
      await walk(
        A,
        '/admin/audit?limit=1',
        async () => {},
        'next',
        (body) => body.entries.map((e: any) => e.id),
      )
    ).flat();
    assert.equal(new Set(audit).size, audit.length);
  });

  it('the admin lists page by ?limit: webhooks, deliveries, sessions, bot keys, incoming hooks', async () => {
    const chatId = await newChat();
    const hook = async () => A('POST', '/admin/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['message'], chatIds: [chatId] });
    for (let i = 0; i < 3; i++) assert.equal((await hook()).statusCode, 200);
    const hooks = ids((await A('GET', '/admin/webhooks')).json());
    assertWalked(ids((await walk<{ id: string }>(A, '/admin/webhooks?limit=2', hook)).flat()), hooks);
    const webhookId = hooks[0] as string;
    for (let i = 0; i < 3; i++) await send(chatId, `delivered ${i}`);
    const deliveries = ids((await A('GET', `/admin/webhooks/${webhookId}/deliveries`)).json());
    assert.ok(deliveries.length >= 3);
    assertWalked(ids((await walk<{ id: number }>(A, `/admin/webhooks/${webhookId}/deliveries?limit=2`, () => send(chatId, 'more'))).flat()), deliveries);

    for (let i = 0; i < 2; i++) await t.app.inject({ method: 'POST', url: '/users/login', payload: { username: b.username, password: b.password } });
    const sessions = ids((await A('GET', `/admin/users/${b.id}/sessions`)).json());
    assert.equal(sessions.length, 3);
    const login = () => t.app.inject({ method: 'POST', url: '/users/login', payload: { username: b.username, password: b.password } });
    assertWalked(ids((await walk<{ id: string }>(A, `/admin/users/${b.id}/sessions?limit=2`, login)).flat()), sessions);

    const bot = (await A('POST', '/admin/bots', { username: uniqueName('bot'), name: 'Pager Bot' })).json().id as number;
    const key = () => A('POST', `/admin/bots/${bot}/keys`, { scopes: ['chats:read'] });
    for (let i = 0; i < 3; i++) assert.equal((await key()).statusCode, 200);
    const keys = ids((await A('GET', `/admin/bots/${bot}/keys`)).json());
    assertWalked(ids((await walk<{ id: string }>(A, `/admin/bots/${bot}/keys?limit=2`, key)).flat()), keys);

    const incoming = () => A('POST', `/admin/chats/${chatId}/hooks`, { name: 'CI' });
    for (let i = 0; i < 3; i++) assert.equal((await incoming()).statusCode, 200);
    const list = ids((await A('GET', `/admin/chats/${chatId}/hooks`)).json());
    assertWalked(ids((await walk<{ id: string }>(A, `/admin/chats/${chatId}/hooks?limit=2`, incoming)).flat()), list);
  });
});
