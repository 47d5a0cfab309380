/**
 * Browser end-to-end helpers: Debian's Chromium driven by playwright-core (never a downloaded
 * browser), the web app built fresh from its sources, and the real server process.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests can't run here, or undefined when they can. CI (PARLEY_REQUIRE_SERVICES=1) fails instead of skipping. */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const why = `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`;
  if (process.env.PARLEY_REQUIRE_SERVICES === '1') throw new Error(`${why}; PARLEY_REQUIRE_SERVICES=1 requires the browser tests`);
  return why;
}

/** Chromium headless, as this machine needs it: no sandbox (root), no background traffic to a closed network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const root = fileURLToPath(new URL('..', import.meta.url));

/** Builds the web app from its current sources into a temp folder (so a stale web/dist can't be what is tested). */
export async function buildWebApp(): Promise<string> {
  const { build } = await import('vite');
  const outDir = mkdtempSync(path.join(tmpdir(), 'parley-web-'));
  await build({ configFile: path.join(root, 'web/vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/** Where test screenshots go (gitignored). */
export const ARTIFACTS = path.join(root, 'test-artifacts');
/** The README's screenshot, rewritten only with PARLEY_UPDATE_SCREENSHOT=1. */
export const DOCS_SCREENSHOT = path.join(root, 'docs/app-chat.png');
