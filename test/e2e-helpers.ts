/**
 * Browser end-to-end helpers: Debian's Chromium driven by playwright-core (never a downloaded
 * browser), the web app built fresh from its sources, and the real server process.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import sharp from 'sharp';

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

/** A 640×400 PNG of a sunset (drawn as SVG, rendered by sharp): something to look at in a screenshot. */
export function makePicture(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#ffb347"/><stop offset="0.55" stop-color="#ff6f61"/><stop offset="1" stop-color="#6a5acd"/>
    </linearGradient></defs>
    <rect width="640" height="400" fill="url(#g)"/><circle cx="470" cy="130" r="58" fill="#fff3b0"/>
    <path d="M0 330 L160 220 L300 310 L420 240 L640 350 L640 400 L0 400 Z" fill="#2b2d42"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
