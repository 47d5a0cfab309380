/**
 * chat.connor.fun's React frontend (frontend/ of that repository) in Chromium against the real
 * server: two browser contexts register (the form's empty email), log in, read their user with
 * its roles, join a room, see each other among its members, talk live over the room socket and
 * read the history by room_id, then log out. The page (test/e2e-pages/connor.js) re-creates the
 * frontend's requests and frames, citing the original's lines. The frontend has no image or
 * avatar upload, so none is tested here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openClientPage, startClientsServer, type ClientPage } from './e2e-clients.js';
import { browserMissing, launchChromium } from './e2e-helpers.js';
import type { ServerProcess } from './server-process.js';

const missing = browserMissing();
const script = readFileSync(new URL('./e2e-pages/connor.js', import.meta.url), 'utf8');

describe('chat.connor.fun frontend in Chromium', { skip: missing }, () => {
  let server: ServerProcess;
  let browser: Browser;
  const pages: ClientPage[] = [];
  before(async () => {
    [server, browser] = await Promise.all([startClientsServer(), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const open = async () => {
    // Served with /api proxied to the server: the same origin as the API.
    const client = await openClientPage(browser, server.url, script, '/healthz');
    pages.push(client);
    return client.page;
  };
  const call = <T>(page: Page, fn: string, ...args: unknown[]) =>
    page.evaluate(([name, list]) => (globalThis as any).client[name as string](...(list as unknown[])), [fn, args] as const) as Promise<T>;

  test('register, log in, read the user, join a room, talk live both ways, log out', async () => {
    const a = await open();
    const b = await open();
    const tag = `${process.pid}x${Date.now() % 100000}`;
    const ann = await call<any>(a, 'register', `ann${tag}`, 'room secret 1');
    const bob = await call<any>(b, 'register', `bob${tag}`, 'room secret 1');
    assert.equal(ann.created, 201);
    assert.deepEqual(ann.roleNames, ['normalUser', 'anonUser']);
    assert.equal(typeof ann.user.id, 'number');

    const me = await call<any>(a, 'getUser');
    assert.deepEqual([me.id, me.username], [ann.user.id, ann.user.username]);
    assert.ok(me.roles.some((r: any) => r.name === 'normalUser'));

    const room = `lobby${tag}`;
    const first = await call<any>(a, 'joinRoom', room);
    assert.equal(first.protocol, (await a.evaluate(() => (globalThis as any).localStorage.getItem('jwt')))!, 'the server answers with the token subprotocol');
    // The first join opens the room; the other member's store loads its id and members.
    const second = await call<any>(b, 'joinRoom', room);
    assert.ok(second.loaded.roomId, 'the room exists once someone joined');
    assert.ok(
      second.loaded.members.some((m: any) => m.id === ann.user.id),
      'Ann is among the members',
    );

    await call(a, 'sendMessage', 'hello from ann');
    await b.waitForFunction((text) => (globalThis as any).client.has(text), 'hello from ann');
    await call(b, 'sendMessage', 'hi ann');
    await a.waitForFunction((text) => (globalThis as any).client.has(text), 'hi ann');

    // Ann joins again: the history by room_id holds both, oldest first.
    const again = await call<any>(a, 'joinRoom', room);
    assert.deepEqual(
      again.loaded.messages.map((m: any) => [m.text, m.sender.username]),
      [
        ['hello from ann', ann.user.username],
        ['hi ann', bob.user.username],
      ],
    );

    assert.deepEqual(await call(a, 'logout'), { token: null, user: null });
    for (const { errors } of pages) assert.deepEqual(errors, []);
  });
});
