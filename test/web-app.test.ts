/** The web app at /app: served from WEB_APP_DIR with cache and CSP headers, or a clear 404 when not built. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { problemOf, startApp, tempDir } from './helpers.js';

function fakeBuild(): string {
  const dir = tempDir('parley-web-');
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Parley</title><script type="module" src="/app/assets/main-abc123.js"></script>');
  writeFileSync(path.join(dir, 'assets', 'main-abc123.js'), 'console.log("parley")');
  return dir;
}

test('without a build, /app and its files are a 404 problem that says how to build it', async () => {
  const t = await startApp({ WEB_APP_DIR: tempDir('parley-noweb-') });
  for (const url of ['/app/', '/app', '/app/assets/main.js']) {
    const body = problemOf(await t.app.inject({ url }), 404);
    assert.match(body.detail, /npm run build/, url);
  }
  await t.destroy();
});

test('/app redirects to /app/, which serves index.html with a CSP; hashed assets are immutable', async () => {
  const t = await startApp({ WEB_APP_DIR: fakeBuild() });
  const bare = await t.app.inject({ url: '/app' });
  assert.equal(bare.statusCode, 301);
  assert.equal(bare.headers.location, '/app/');

  const page = await t.app.inject({ url: '/app/' });
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.equal(page.headers['cache-control'], 'no-cache');
  const csp = String(page.headers['content-security-policy']);
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /connect-src 'self' http:\/\/parley\.test ws:\/\/parley\.test/);
  assert.match(page.body, /<title>Parley<\/title>/);

  const asset = await t.app.inject({ url: '/app/assets/main-abc123.js' });
  assert.equal(asset.statusCode, 200);
  assert.match(String(asset.headers['content-type']), /javascript/);
  assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(asset.headers['x-content-type-options'], 'nosniff');

  problemOf(await t.app.inject({ url: '/app/assets/missing.js' }), 404);
  assert.notEqual((await t.app.inject({ url: '/app/%2e%2e/%2e%2e/package.json' })).statusCode, 200);
  // The API around it is untouched.
  assert.equal((await t.app.inject({ url: '/healthz' })).statusCode, 200);
  await t.destroy();
});
