/**
 * The web app's messaging extras in a real browser against the real server process: two
 * users (phone-sized contexts) see each other's presence dot, react to a message (counts,
 * taking one's own back), reply with a quote, and pin and unpin it from the pinned list.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, browserMissing, buildWebApp, launchChromium } from './e2e-helpers.js';
import { startServer, type ServerProcess } from './server-process.js';

const missing = browserMissing();
const PHONE = { width: 390, height: 844 };

let server: ServerProcess;
let browser: Browser;
let appUrl: string;

async function newUser(name: string): Promise<{ context: BrowserContext; page: Page; username: string }> {
  const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2 });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${name}] page error:`, error));
  const username = `${name.toLowerCase()}x${process.pid}`;
  await page.goto(appUrl);
  await page.getByRole('tab', { name: 'Sign up' }).click();
  await page.getByLabel('Display name').fill(name);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.locator('[data-testid=connection].online').waitFor({ state: 'attached' });
  return { context, page, username };
}

const messagesWith = (page: Page, text: string) => page.getByTestId('message').filter({ has: page.locator('.text', { hasText: new RegExp(`^${text}$`) }) });
/** The presence dot of `userId` in the open chat's header. */
const headerDot = (page: Page, status: string) => page.locator(`.chat .bar [data-testid=presence][data-status=${status}]`);

describe('web app in Chromium: reactions, replies, pins, presence', { skip: missing }, () => {
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

  test('two users react, reply with a quote, pin and unpin, and see each other online and offline', async () => {
    const gus = await newUser('Gus');
    const hal = await newUser('Hal');

    // Gus starts a personal chat with Hal and writes.
    await gus.page.getByRole('link', { name: 'New chat' }).click();
    await gus.page.getByLabel('Search people').fill(hal.username);
    await gus.page.getByRole('button', { name: 'Add' }).click();
    await gus.page.getByRole('button', { name: 'Start chat' }).click();
    await gus.page.getByTestId('chat-title').filter({ hasText: 'Hal' }).waitFor();
    await gus.page.getByLabel('Message', { exact: true }).fill('Lunch at noon');
    await gus.page.getByRole('button', { name: 'Send' }).click();
    await messagesWith(gus.page, 'Lunch at noon').waitFor();

    // Presence: Hal is connected, so Gus sees him online; offline when his browser goes offline, online again after.
    await headerDot(gus.page, 'online').waitFor();
    await hal.context.setOffline(true);
    await headerDot(gus.page, 'offline').waitFor();
    await hal.context.setOffline(false);
    await hal.page.locator('[data-testid=connection].online').waitFor({ state: 'attached' });
    await headerDot(gus.page, 'online').waitFor();

    // Hal opens the chat (Gus online there too) and reacts 👍; Gus sees the count live and adds his own.
    await hal.page.getByTestId('chat-item').filter({ hasText: 'Gus' }).click();
    await headerDot(hal.page, 'online').waitFor();
    const onHal = messagesWith(hal.page, 'Lunch at noon');
    await onHal.getByRole('button', { name: 'React', exact: true }).click();
    await onHal.getByRole('button', { name: 'React 👍' }).click();
    await onHal.getByRole('button', { name: '👍 1' }).waitFor();
    assert.equal(await onHal.getByRole('button', { name: '👍 1' }).getAttribute('aria-pressed'), 'true');
    const onGus = messagesWith(gus.page, 'Lunch at noon');
    const gusChip = onGus.getByRole('button', { name: '👍 1' });
    await gusChip.waitFor();
    assert.equal(await gusChip.getAttribute('aria-pressed'), 'false', 'not Gus’s own yet');
    await gusChip.click();
    await onGus.getByRole('button', { name: '👍 2' }).waitFor();
    await onHal.getByRole('button', { name: '👍 2' }).waitFor();
    // A click on one's own takes it back.
    await onGus.getByRole('button', { name: '👍 2' }).click();
    await onHal.getByRole('button', { name: '👍 1' }).waitFor();

    // Hal replies: the composer shows what he replies to, and both see the quote.
    await onHal.getByRole('button', { name: 'Reply' }).click();
    await hal.page.getByTestId('replying').filter({ hasText: 'Lunch at noon' }).waitFor();
    await hal.page.getByLabel('Message', { exact: true }).fill('Yes, see you there');
    await hal.page.getByRole('button', { name: 'Send' }).click();
    const reply = messagesWith(gus.page, 'Yes, see you there');
    await reply.getByTestId('quote').filter({ hasText: 'Lunch at noon' }).waitFor();
    assert.match((await reply.getByTestId('quote').textContent()) ?? '', /Gus/);
    assert.equal(await hal.page.getByTestId('replying').count(), 0, 'the reply is sent: the composer forgets it');

    // Gus pins his message; Hal's pin count follows, and the pinned list shows it; Hal unpins from there.
    await onGus.getByRole('button', { name: 'Pin', exact: true }).click();
    await onGus.getByRole('button', { name: 'Unpin' }).waitFor();
    await messagesWith(hal.page, 'Lunch at noon').getByTestId('pin-mark').waitFor();
    await hal.page.getByRole('button', { name: 'Pins (1)' }).click();
    const pinned = hal.page.getByTestId('pinned');
    await pinned.getByTestId('pinned-item').filter({ hasText: 'Lunch at noon' }).waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
    await gus.page.screenshot({ path: path.join(ARTIFACTS, 'app-messaging.png') });
    await pinned.getByRole('button', { name: 'Unpin' }).click();
    await pinned.getByText('Nothing pinned yet.').waitFor();
    await gus.page.getByRole('button', { name: 'Pins (0)' }).waitFor();
    await onGus.getByRole('button', { name: 'Pin', exact: true }).waitFor();

    await gus.context.close();
    await hal.context.close();
  });
});
