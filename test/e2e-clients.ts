/**
 * For the end-to-end tests of the seeds' own clients (test/e2e.clients.*.test.ts): the real
 * server process (on PostgreSQL and Redis with PARLEY_TEST_STORE=postgres / PARLEY_TEST_BUS=redis),
 * Debian's Chromium, and a page of the test's own at any origin. Parley cannot vendor those
 * clients, so each test's page re-creates the requests and frames its client sends (citing file
 * and line of the original) and the test drives them through `page.evaluate`.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { tempDir } from './helpers.js';
import { startServer, type ServerProcess } from './server-process.js';
import { createTestSchema, REDIS_URL } from './services.js';

/** Starts the server process with `env`, on the adapters the test run asks for. */
export async function startClientsServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  const chosen: Record<string, string> = {};
  if (process.env.PARLEY_TEST_STORE === 'postgres') {
    chosen.DATABASE_URL = (await createTestSchema()).url;
    chosen.DATABASE_POOL_SIZE = '4';
  }
  if (process.env.PARLEY_TEST_BUS === 'redis') {
    chosen.REDIS_URL = REDIS_URL;
    chosen.REDIS_PREFIX = `parley-e2e-${process.pid}-${path.basename(import.meta.url)}:`;
  }
  return startServer({ DATA_DIR: tempDir('parley-e2e-'), ...chosen, ...env });
}

export interface ClientPage {
  context: BrowserContext;
  page: Page;
  /** Errors the page threw (a client that crashes on an answer shows here). */
  errors: Error[];
}

/**
 * Opens a fresh browser context on a page of `origin` running `script` (the client's
 * functions). A page the server serves (`path`) is loaded and the script added to it: Chromium
 * opens no WebSocket from a document Playwright itself answered. Without `path`, the browser
 * answers `<origin>/` itself with a page holding the script (for a client served elsewhere).
 */
export async function openClientPage(browser: Browser, origin: string, script: string, path?: string): Promise<ClientPage> {
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: Error[] = [];
  page.on('pageerror', (error) => errors.push(error));
  if (path) {
    await page.goto(`${origin}${path}`);
    await page.addScriptTag({ content: script });
  } else {
    const url = `${origin}/`;
    await context.route(url, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: `<!doctype html><html><body><script>${script}</script></body></html>` }),
    );
    await page.goto(url);
  }
  return { context, page, errors };
}
