import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { register, startApp, type Registered, type TestApp } from './helpers.js';
import { makePng, pathOf, upload } from './media-helpers.js';

describe('GET /uploads/<name>', () => {
  let t: TestApp;
  let alice: Registered;
  const text = '0123456789abcdefghij';
  let textPath: string;
  before(async () => {
    t = await startApp();
    alice = await register(t.app);
    textPath = pathOf((await upload(t.app, text, { token: alice.token, contentType: 'text/plain' })).json().url);
    await upload(t.app, '<html><script>alert(1)</script></html>', { token: alice.token, fileName: 'page', contentType: 'text/html' });
    await upload(t.app, await makePng(64, 64), { token: alice.token, fileName: 'pic', contentType: 'png' });
  });
  after(() => t.destroy());

  it('serves without a token, with the stored type and protective headers', async () => {
    const res = await t.app.inject(textPath);
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, text);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    assert.equal(res.headers['content-length'], String(text.length));
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['accept-ranges'], 'bytes');
    assert.match(String(res.headers['content-security-policy']), /sandbox/);
    assert.match(String(res.headers['cache-control']), /immutable/, 'a server-made UUID name never changes');
    assert.match(String(res.headers.etag), /^"[^"]+"$/, 'a strong ETag');
  });

  it('sends non-images as downloads, so an HTML upload never runs as a page', async () => {
    const page = await t.app.inject('/uploads/page.html');
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['content-disposition'], 'attachment; filename="page.html"');
    assert.doesNotMatch(String(page.headers['cache-control']), /immutable/, 'a client-chosen name may be reused');
    const pic = await t.app.inject('/uploads/pic.png');
    assert.equal(pic.headers['content-disposition'], 'inline');
  });

  it('answers If-None-Match with 304', async () => {
    const { etag } = (await t.app.inject(textPath)).headers;
    const res = await t.app.inject({ url: textPath, headers: { 'if-none-match': String(etag) } });
    assert.equal(res.statusCode, 304);
    assert.equal(res.body, '');
    assert.equal(res.headers.etag, etag);
    assert.equal((await t.app.inject({ url: textPath, headers: { 'if-none-match': '"other"' } })).statusCode, 200);
    assert.notEqual((await t.app.inject('/uploads/pic-preview.jpeg')).headers.etag, (await t.app.inject('/uploads/pic.png')).headers.etag);
  });

  it('serves byte ranges (206) and refuses unsatisfiable ones (416)', async () => {
    const cases: Array<[string, string, string]> = [
      ['bytes=0-3', '0123', 'bytes 0-3/20'],
      ['bytes=10-', 'abcdefghij', 'bytes 10-19/20'],
      ['bytes=-5', 'fghij', 'bytes 15-19/20'],
      ['bytes=18-100', 'ij', 'bytes 18-19/20'],
    ];
    for (const [range, body, contentRange] of cases) {
      const res = await t.app.inject({ url: textPath, headers: { range } });
      assert.equal(res.statusCode, 206, range);
      assert.equal(res.body, body, range);
      assert.equal(res.headers['content-range'], contentRange);
      assert.equal(res.headers['content-length'], String(body.length));
    }
    const unsatisfiable = await t.app.inject({ url: textPath, headers: { range: 'bytes=20-' } });
    assert.equal(unsatisfiable.statusCode, 416);
    assert.equal(unsatisfiable.headers['content-range'], 'bytes */20');
    // Malformed or multi-range headers are ignored: the whole file.
    for (const range of ['bytes=0-1,4-5', 'lines=1-2', 'bytes=5-2']) {
      assert.equal((await t.app.inject({ url: textPath, headers: { range } })).statusCode, 200, range);
    }
    const stale = await t.app.inject({ url: textPath, headers: { range: 'bytes=0-3', 'if-range': '"old"' } });
    assert.equal(stale.statusCode, 200);
  });

  it('answers HEAD with the headers only', async () => {
    const res = await t.app.inject({ method: 'HEAD', url: textPath });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], String(text.length));
    assert.equal(res.body, '');
  });

  it('documents the files and photo routes in /openapi.json', async () => {
    const doc = (await t.app.inject('/openapi.json')).json();
    const routes = Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const route of ['POST /uploads', 'GET /uploads/{file}', 'POST /users/me/photos', 'DELETE /users/me/photos/{id}']) {
      assert.ok(routes.includes(route), `${route} missing from /openapi.json`);
    }
  });

  it('never serves anything outside the uploads (404)', async () => {
    // A file next to the uploads folder that a traversal would reach.
    writeFileSync(path.join(t.dataDir, 'secret.txt'), 'secret');
    for (const url of [
      '/uploads/..%2Fparley.db',
      '/uploads/..%2Fsecret.txt',
      '/uploads/%2e%2e%2fsecret.txt',
      '/uploads/..%5Csecret.txt',
      '/uploads/../parley.db',
      '/uploads/.tmp-x',
      '/uploads/pic.PNG',
      '/uploads/pic.jpeg',
      '/uploads/page-preview.jpeg',
      '/uploads/pic',
      '/uploads/%00pic.png',
      '/uploads/pic.png%00.txt',
      `/uploads/${'a'.repeat(70)}.png`,
    ]) {
      const res = await t.app.inject(url);
      assert.ok(res.statusCode === 404 || res.statusCode === 400, `${url} answered ${res.statusCode}`);
      assert.doesNotMatch(res.body, /secret|SQLite format/, url);
    }
  });
});
