/**
 * The web app in a real browser against the real server process: two users in two browser
 * contexts (phone-sized) sign up, talk with typing hints, read marks and an image; one goes
 * offline while the other writes, comes back and catches up, each message exactly once.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { ParleyClient, type RoomMessage } from '../client/src/index.js';
import { ARTIFACTS, browserMissing, buildWebApp, DOCS_SCREENSHOT, launchChromium, makePicture } from './e2e-helpers.js';
import { makePng } from './media-helpers.js';
import { startServer, type ServerProcess } from './server-process.js';

const missing = browserMissing();
const PHONE = { width: 390, height: 844 };

let server: ServerProcess;
let browser: Browser;
/** `http://localhost:<port>/app/`: PUBLIC_URL's host, so images are same-origin. */
let appUrl: string;

/** A user made with the client library, outside the browser. */
async function apiUser(name: string): Promise<ParleyClient & { id: number }> {
  const client = new ParleyClient({ baseUrl: server.url, WebSocket });
  const me = await client.register({ name, username: `${name.toLowerCase()}${process.pid}`, password: 'correct horse battery' });
  return Object.assign(client, { id: me.id });
}

async function newUser(name: string): Promise<{ context: BrowserContext; page: Page; username: string }> {
  const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2 });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${name}] page error:`, error));
  const username = `${name.toLowerCase()}${process.pid}`;
  await page.goto(appUrl);
  await page.getByRole('tab', { name: 'Sign up' }).click();
  await page.getByLabel('Display name').fill(name);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await connection(page, 'online');
  return { context, page, username };
}

/** Waits for the socket's state (the pill is in the list pane, hidden on a phone while a chat is open). */
const connection = (page: Page, state: string) => page.locator(`[data-testid=connection].${state}`).waitFor({ state: 'attached' });

/** Messages on screen with exactly this text. */
const messagesWith = (page: Page, text: string) => page.getByTestId('message').filter({ has: page.locator('.text', { hasText: new RegExp(`^${text}$`) }) });

describe('web app in Chromium', { skip: missing }, () => {
  before(async () => {
    const webDir = await buildWebApp();
    server = await startServer({ WEB_APP_DIR: webDir });
    appUrl = `${server.url.replace('127.0.0.1', 'localhost')}/app/`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('two users chat with typing, read marks and an image; the one who was offline catches up exactly once', async () => {
    const ann = await newUser('Ann');
    const bob = await newUser('Bob');

    // Ann finds Bob and starts a personal chat.
    await ann.page.getByRole('link', { name: 'New chat' }).click();
    await ann.page.getByLabel('Search people').fill(bob.username);
    await ann.page.getByRole('button', { name: 'Add' }).click();
    await ann.page.getByRole('button', { name: 'Start chat' }).click();
    await ann.page.getByTestId('chat-title').filter({ hasText: 'Bob' }).waitFor();
    await ann.page.getByLabel('Message', { exact: true }).fill('Hi Bob!');
    await ann.page.getByRole('button', { name: 'Send' }).click();

    // Bob sees the chat arrive live with one unread message, and opens it.
    const item = bob.page.getByTestId('chat-item').filter({ hasText: 'Ann' });
    await item.getByTestId('unread').filter({ hasText: '1' }).waitFor();
    await item.click();
    await messagesWith(bob.page, 'Hi Bob!').waitFor();
    // Bob read it: Ann's message gets its read ticks, and Bob's badge is gone.
    await ann.page.getByLabel('read', { exact: true }).waitFor();
    await bob.page.getByRole('link', { name: 'Back to chats' }).click();
    assert.equal(await bob.page.getByTestId('unread').count(), 0);
    await item.click();

    // Typing hint: Ann types, Bob sees it; the message itself clears it.
    await ann.page.getByLabel('Message', { exact: true }).fill('Here is a picture');
    await bob.page.getByTestId('typing').filter({ hasText: 'Ann is typing…' }).waitFor();
    await ann.page.getByLabel('Attach an image').setInputFiles({ name: 'pic.png', mimeType: 'image/png', buffer: await makePicture() });
    await ann.page.getByAltText('Attachment to send').waitFor();
    await ann.page.getByRole('button', { name: 'Send' }).click();
    const image = bob.page.getByAltText('Attachment', { exact: true });
    await image.waitFor();
    // Loaded and decoded. A function, not a string: a string predicate is eval'ed in the page,
    // which the app's CSP (script-src 'self') refuses once it has to poll. The root tsconfig has
    // no DOM types, hence `globalThis`.
    await bob.page.waitForFunction(() =>
      [...(globalThis as any).document.querySelectorAll('img[alt="Attachment"]')].every((i: any) => i.complete && i.naturalWidth > 0),
    );
    assert.match((await image.getAttribute('src')) ?? '', /-preview\.jpeg$/);
    await bob.page.getByTestId('typing').filter({ hasText: /^\s*$/ }).waitFor();
    await bob.page.getByLabel('Message', { exact: true }).fill('Nice one, Ann');
    await bob.page.getByRole('button', { name: 'Send' }).click();
    await messagesWith(ann.page, 'Nice one, Ann').waitFor();

    // Bob goes offline; Ann writes three messages meanwhile.
    await bob.context.setOffline(true);
    await connection(bob.page, 'offline');
    await bob.page.getByRole('status').filter({ hasText: 'You are offline' }).waitFor();
    const away = ['While you were out 1', 'While you were out 2', 'While you were out 3'];
    for (const text of away) {
      await ann.page.getByLabel('Message', { exact: true }).fill(text);
      await ann.page.getByRole('button', { name: 'Send' }).click();
      await messagesWith(ann.page, text).waitFor();
    }
    assert.equal(await messagesWith(bob.page, away[0]!).count(), 0, 'nothing reaches an offline browser');

    // Back online: the socket resumes from its cursor and each missed message appears once.
    await bob.context.setOffline(false);
    await connection(bob.page, 'online');
    for (const text of away) await messagesWith(bob.page, text).waitFor();
    await bob.page.waitForTimeout(500);
    for (const text of away) assert.equal(await messagesWith(bob.page, text).count(), 1, `"${text}" exactly once`);
    assert.equal(await bob.page.getByTestId('message').count(), await ann.page.getByTestId('message').count());
    assert.equal(await bob.page.getByTestId('message').count(), 6);

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = path.join(ARTIFACTS, 'app-chat.png');
    await bob.page.screenshot({ path: shot });
    if (process.env.PARLEY_UPDATE_SCREENSHOT === '1') copyFileSync(shot, DOCS_SCREENSHOT);
    await ann.context.close();
    await bob.context.close();
  });

  test('profile photo, a group with members added and removed, and a public room', async () => {
    const dee = await newUser('Dee');
    const eve = await apiUser('Eve');
    const fay = await apiUser('Fay');

    // Profile photo: uploaded, attached, and shown as the avatar.
    await dee.page.getByRole('link', { name: 'Profile' }).click();
    await dee.page.getByLabel('Profile photo').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await makePng(300, 300, '#e76f51') });
    await dee.page.getByRole('status').filter({ hasText: 'Photo updated.' }).waitFor();
    await dee.page.locator('.profile-photo img.avatar[src$="-preview.jpeg"]').waitFor();
    assert.equal((await eve.getUser((await eve.searchUsers(dee.username))[0]!.id)).photos.length, 1);

    // A group of three, then Fay is removed by its owner. (On a phone, pages replace the list: back first.)
    await dee.page.getByRole('link', { name: 'Back to chats' }).click();
    await dee.page.getByRole('link', { name: 'New chat' }).click();
    for (const who of ['eve', 'fay']) {
      await dee.page.getByLabel('Search people').fill(`${who}${process.pid}`);
      await dee.page.getByRole('button', { name: 'Add' }).click();
    }
    await dee.page.getByLabel('Group title').fill('Weekend');
    await dee.page.getByRole('button', { name: 'Create group' }).click();
    await dee.page.getByTestId('chat-title').filter({ hasText: 'Weekend' }).waitFor();
    await dee.page.getByRole('button', { name: 'Members (3)' }).click();
    const group = (await eve.listChats()).find((c) => c.title === 'Weekend');
    assert.ok(group, 'Eve is in the group');
    await dee.page.getByLabel('Members', { exact: true }).locator('li', { hasText: 'Fay' }).getByRole('button', { name: 'Remove' }).click();
    await dee.page.getByRole('button', { name: 'Members (2)' }).waitFor();
    assert.equal(
      (await fay.listChats()).some((c) => c.id === group.id),
      false,
      'Fay is out',
    );

    // A member's message (sent with the client library) arrives live, with the author named.
    await eve.sendMessage(group.id, { text: 'See you Saturday' });
    await messagesWith(dee.page, 'See you Saturday').locator('.author', { hasText: 'Eve' }).waitFor();

    // Rooms: Dee joins a public room in the browser, Eve joins from Node; each sees the other.
    const room = `lobby${process.pid}`;
    const eveRoom = eve.joinRoom(room);
    const heard: RoomMessage[] = [];
    eveRoom.on('messages', (batch) => heard.push(...batch));
    await eveRoom.once('open');
    await dee.page.getByRole('link', { name: 'Back to chats' }).click();
    await dee.page.getByRole('link', { name: 'Rooms' }).click();
    await dee.page.getByLabel('Room name').fill(room);
    await dee.page.getByRole('button', { name: 'Join' }).click();
    await dee.page.locator('.pill', { hasText: 'live' }).waitFor();
    await dee.page.getByLabel('Room message').fill('hello room');
    await dee.page.getByLabel('Room message').press('Enter');
    await dee.page.getByTestId('room-messages').getByText('hello room').waitFor();
    assert.ok(eveRoom.say('hi from node'));
    await dee.page.getByTestId('room-messages').getByText('hi from node').waitFor();
    assert.ok(
      heard.some((m) => m.text === 'hello room'),
      'the Node client heard the browser',
    );
    await dee.page.screenshot({ path: path.join(ARTIFACTS, 'app-room.png') });
    eveRoom.close();
    await dee.context.close();
  });
});
