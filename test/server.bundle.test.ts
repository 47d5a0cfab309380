/**
 * The built server (dist/server.js, one bundled file: scripts/bundle-server.mjs) as
 * `npm start` runs it. What a bundle can break is what lives outside it: the native addons,
 * the argon2 worker file, swagger-ui's assets, the web app's folder, modules loaded on first
 * use (sharp, file-type) and schemas compiled on first use. Each is used once here.
 *
 * Needs `npm run build` (CI builds first); skipped with a message otherwise, and a failure
 * under PARLEY_REQUIRE_SERVICES=1.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { tempDir } from './helpers.js';
import { makePng } from './media-helpers.js';
import { BUILT, http, startServer, type ServerProcess } from './server-process.js';
import { connect } from './ws-helpers.js';

const BUNDLE = 'dist/server.js';
const built = existsSync(BUNDLE) && readFileSync(BUNDLE, 'utf8').includes('__parleyCreateRequire');
const missing = built ? false : `${BUNDLE} is not the bundled build: run \`npm run build\` first`;
if (missing && process.env.PARLEY_REQUIRE_SERVICES === '1') throw new Error(`${missing}; PARLEY_REQUIRE_SERVICES=1 makes this a failure`);

describe('the built server (bundle)', { skip: missing }, () => {
  let server: ServerProcess;
  let token: string;
  before(async () => {
    server = await startServer({ DATA_DIR: tempDir() }, 30_000, BUILT);
  });
  after(() => server?.stop());

  it('registers and logs in (the argon2 worker runs from the bundle)', async () => {
    const registered = await http(`${server.url}/users`, { body: { name: 'Bundle', username: 'bundle_user', password: 'password123' } });
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    const login = await fetch(`${server.url}/users/login`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('bundle_user:password123').toString('base64')}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(login.status, 200);
    token = ((await login.json()) as { token: string }).token;
    const me = await http(`${server.url}/users/me`, { token });
    assert.equal(me.body.username, 'bundle_user');
  });

  it('refuses a bad body with 400 on a route not called before (validators compile on first use)', async () => {
    const bad = await http(`${server.url}/users/me`, { method: 'PUT', token, body: { name: 42 } });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
  });

  it('stores an image with its preview (sharp and file-type load on the first upload)', async () => {
    const png = await makePng(800, 600);
    const res = await fetch(`${server.url}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'file-name': 'bundled', 'content-type': 'png' },
      body: png,
    });
    assert.equal(res.status, 200, await res.clone().text());
    const preview = await fetch(`${server.url}/uploads/bundled-preview.jpeg`);
    assert.equal(preview.status, 200);
    const meta = await sharp(Buffer.from(await preview.arrayBuffer())).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 512, 384]);
  });

  it('serves the API docs with their assets, and the web app', async () => {
    const spec = await http(`${server.url}/openapi.json`);
    assert.equal(spec.status, 200);
    assert.ok(Object.keys(spec.body.paths).length > 50);
    const docs = await fetch(`${server.url}/docs/`);
    assert.equal(docs.status, 200);
    const html = await docs.text();
    const asset = /src="\.?\/?([^"]*swagger-ui-bundle\.js)"/.exec(html)?.[1];
    assert.ok(asset, 'the docs page loads swagger-ui');
    // Bodies are read to the end: an unread 1.5 MB answer would hold its connection open.
    const script = await fetch(`${server.url}/docs/${asset.replace(/^docs\//, '')}`);
    assert.equal(script.status, 200);
    assert.ok((await script.arrayBuffer()).byteLength > 100_000);
    const app = await fetch(`${server.url}/app/`);
    await app.arrayBuffer();
    assert.equal(app.status, existsSync('web/dist/index.html') ? 200 : 404);
  });

  it('opens a socket and closes it with 1001 on SIGTERM, exiting 0', async () => {
    const socket = await connect(`${server.wsUrl}/ws`, [token]);
    const exit = server.stop();
    assert.equal((await socket.waitClosed()).code, 1001);
    assert.equal(await exit, 0, server.output());
  });
});
