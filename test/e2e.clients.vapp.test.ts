/**
 * The V-app web client (client-web/ of nexmo-community/clientsdk-the-v-app, at the commit
 * before "VCR Backend") in Chromium against the real server, from an origin of its own
 * (CORS_ORIGINS, with the client's extra Bypass-Tunnel-Reminder header): two browser contexts sign up and log in, see each other in the dashboard,
 * open a conversation (created by one, reached by the other as the SDK's member:joined makes it
 * ask), read a message in it and set a profile image. The page (test/e2e-pages/vapp.js)
 * re-creates the client's requests to its backend, citing the original's lines.
 *
 * The client's live messages, calls, image uploads and logout go through Vonage's Client SDK to
 * Vonage's cloud, which no local server stands in for: the message here is sent through the
 * native API by the same account (one account in every family) and read back as the client
 * reads a conversation's events.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openClientPage, startClientsServer, type ClientPage } from './e2e-clients.js';
import { browserMissing, launchChromium } from './e2e-helpers.js';
import type { ServerProcess } from './server-process.js';

const missing = browserMissing();
const script = readFileSync(new URL('./e2e-pages/vapp.js', import.meta.url), 'utf8');
const PASSWORD = 'correct horse battery';

describe('V-app web client in Chromium', { skip: missing }, () => {
  let server: ServerProcess;
  let browser: Browser;
  /** Serves the client's (empty) page from an origin of its own, as the client is deployed apart from its backend. */
  let site: Server;
  let origin: string;
  const pages: ClientPage[] = [];
  before(async () => {
    site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>V-app</title>'));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    // A real loopback origin: Chromium lets no page the browser answered itself call 127.0.0.1 (Private Network Access).
    origin = `http://localhost:${(site.address() as AddressInfo).port}`;
    [server, browser] = await Promise.all([startClientsServer({ CORS_ORIGINS: origin }), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    site?.close();
  });

  const open = async () => {
    const client = await openClientPage(browser, origin, `window.VAPP_BASE_URL = ${JSON.stringify(`${server.url}/vapp`)};\n${script}`, '/');
    pages.push(client);
    return client.page;
  };
  const call = <T>(page: Page, fn: string, ...args: unknown[]) =>
    page.evaluate(([name, list]) => (globalThis as any).client[name as string](...(list as unknown[])), [fn, args] as const) as Promise<T>;

  test('sign up, log in, list users, open a conversation both ways, read its message, set an image', async () => {
    const a = await open();
    const b = await open();
    const tag = `${process.pid}x${Date.now() % 100000}`;
    const annSignup = await call<any>(a, 'signUp', `ann${tag}`, 'Ann Vapp', PASSWORD);
    assert.deepEqual(annSignup.conversations, []);
    assert.equal(annSignup.onNexmo, false);
    await call(b, 'signUp', `bob${tag}`, 'Bob Vapp', PASSWORD);

    const ann = await call<any>(a, 'logIn', `ann${tag}`, PASSWORD);
    const bobEntry = ann.users.find((u: any) => u.name === `bob${tag}`);
    assert.ok(bobEntry, 'Bob is in the dashboard’s users');
    assert.match(bobEntry.image_url, /^http:\/\/.+\/vapp\/avatars\//, 'a user without a photo has the default avatar, never null');
    assert.deepEqual(await call(a, 'previousChatsWith', bobEntry.id), { groupChats: [], oneToOneChat: [] });

    const opened = await call<any>(a, 'messageUser', bobEntry.id);
    const conversation = opened.selectedConversation;
    assert.equal(conversation.name, 'Bob Vapp');
    assert.deepEqual(
      conversation.users.map((u: any) => u.id),
      [bobEntry.id],
    );

    // Bob's client learns of it from the SDK's member:joined and asks for it by id.
    const bobs = await call<any>(b, 'onMemberJoined', conversation.id);
    assert.equal(bobs.name, 'Ann Vapp');
    assert.deepEqual(
      (await call<any[]>(b, 'getRequest', '/conversations')).map((c) => c.id),
      [conversation.id],
    );

    // A message in that chat (sent by Bob's account through the native API) is one of its events.
    const login = await fetch(`${server.url}/users/login`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`bob${tag}:${PASSWORD}`).toString('base64')}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const { token } = (await login.json()) as { token: string };
    const chatId = conversation.id.replace(/^CON-/, '');
    const sent = await fetch(`${server.url}/chats/${chatId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ localId: crypto.randomUUID(), text: 'hello from bob' }),
    });
    assert.ok(sent.ok, await sent.clone().text());
    const seen = await call<any>(a, 'displayTextChat', conversation.id);
    assert.deepEqual(
      seen.selectedConversation.events.map((e: any) => [e.type, e.from, e.content]),
      [['message.text', bobEntry.id, 'hello from bob']],
    );

    // The settings form's image URL (here the server's own default avatar of someone) is kept and shown.
    const imageUrl = `${server.url}/vapp/avatars/someone.svg`;
    const image = await call<any>(a, 'updateProfileImage', imageUrl);
    assert.deepEqual(image.responseData, { image_url: imageUrl });
    assert.ok(image.shown > 0);
    const bobAgain = await call<any>(b, 'logIn', `bob${tag}`, PASSWORD);
    assert.equal(bobAgain.users.find((u: any) => u.name === `ann${tag}`).image_url, imageUrl);
    assert.deepEqual(
      bobAgain.conversations.map((c: any) => c.id),
      [conversation.id],
    );

    for (const { errors } of pages) assert.deepEqual(errors, []);
  });
});
