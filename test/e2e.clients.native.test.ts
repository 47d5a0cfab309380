/**
 * maratal/ChatServer's own web app (Public/app/ of that repository, which calls the native API
 * under /api and opens /ws/<DeviceSession.id>) in Chromium against the real server: two
 * browser contexts register, log in, list users, open a personal chat, talk live both ways,
 * set an avatar and log out. The page (test/e2e-pages/chatserver.js) re-creates the app's
 * requests and frames, citing the original's lines; message ids are read from the answers
 * whatever their form.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openClientPage, startClientsServer, type ClientPage } from './e2e-clients.js';
import { browserMissing, launchChromium } from './e2e-helpers.js';
import { makePng } from './media-helpers.js';
import type { ServerProcess } from './server-process.js';

const missing = browserMissing();
const script = readFileSync(new URL('./e2e-pages/chatserver.js', import.meta.url), 'utf8');
const PASSWORD = 'Correct horse 1';

describe('ChatServer web app in Chromium', { skip: missing }, () => {
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
    // The app is served by its own server, so the page has the server's origin (any page of it will do).
    const client = await openClientPage(browser, server.url, script, '/healthz');
    pages.push(client);
    return client.page;
  };
  const call = <T>(page: Page, fn: string, ...args: unknown[]) =>
    page.evaluate(([name, list]) => (globalThis as any).client[name as string](...(list as unknown[])), [fn, args] as const) as Promise<T>;

  test('register, log in, list users, chat live both ways, set an avatar, log out', async () => {
    const a = await open();
    const b = await open();
    const tag = `${process.pid}${Date.now() % 100000}`;
    const ann = await call<any>(a, 'register', 'Ann Native', `ann_${tag}`, PASSWORD);
    const bob = await call<any>(b, 'register', 'Bob Native', `bob_${tag}`, PASSWORD);
    assert.equal(ann.info.username, `ann_${tag}`);
    assert.equal(typeof ann.session.accessToken, 'string');
    assert.ok(ann.session.id);

    // Log out and in again: the Basic login with the DeviceInfo body (token: null).
    assert.equal(await call(a, 'logout'), 401);
    const again = await call<any>(a, 'login', `ann_${tag}`, PASSWORD);
    assert.equal(again.info.id, ann.info.id);

    const users = await call<any[]>(a, 'allUsers', 20);
    assert.ok(
      users.some((u) => u.id === bob.info.id && u.name === 'Bob Native'),
      'Bob is listed',
    );

    const chat = await call<any>(a, 'createChat', true, [bob.info.id]);
    assert.ok(chat.id);
    await Promise.all([call(a, 'initializeWebSocket'), call(b, 'initializeWebSocket')]);

    const sent = await call<any>(a, 'sendMessage', chat.id, 'Hello from Ann');
    assert.ok(sent.id !== undefined && sent.id !== null, 'the send answers the message with its id');
    await b.waitForFunction(([id, text]) => (globalThis as any).client.received(id, text), [chat.id, 'Hello from Ann'] as const);
    await call(b, 'sendMessage', chat.id, 'Hi Ann, Bob here');
    await a.waitForFunction(([id, text]) => (globalThis as any).client.received(id, text), [chat.id, 'Hi Ann, Bob here'] as const);

    const bobsChats = await call<any[]>(b, 'chats');
    assert.ok(bobsChats.some((c) => c.id === chat.id));
    const history = await call<any[]>(b, 'messages', chat.id, 50);
    assert.deepEqual(history.map((m) => m.text).sort(), ['Hello from Ann', 'Hi Ann, Bob here']);
    assert.ok(history.some((m) => String(m.id) === String(sent.id)));

    const png = (await makePng(48, 48)).toString('base64');
    const avatar = await call<any>(a, 'uploadAvatar', png);
    assert.match(avatar.uploadedFileName, /^[0-9a-f-]{36}\.png$/);
    assert.equal(avatar.updatedUserInfo.id, ann.info.id);
    assert.equal(`${avatar.updatedUserInfo.photos[0].id}.png`, avatar.uploadedFileName);
    assert.equal(avatar.shown, 48, 'the avatar loads from /uploads/<id>.<fileType>');

    assert.equal(await call(b, 'logout'), 401);
    for (const { errors } of pages) assert.deepEqual(errors, []);
  });
});
