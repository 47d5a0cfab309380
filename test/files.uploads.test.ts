import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { MAX_INPUT_PIXELS } from '../src/core/media-images.js';
import { invalidNames, problemOf, register, startApp, type Registered, type TestApp } from './helpers.js';
import { makeBomb, makeJpeg, makePng, pathOf, storedFiles, upload } from './media-helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('POST /uploads', () => {
  let t: TestApp;
  let alice: Registered;
  before(async () => {
    t = await startApp({ UPLOAD_MAX_BYTES: String(256 * 1024) });
    alice = await register(t.app);
  });
  after(() => t.destroy());

  it('needs a token (401), by any transport', async () => {
    problemOf(await upload(t.app, 'hello', { contentType: 'txt' }), 401);
    const viaHeader = await upload(t.app, 'hello', { contentType: 'txt', headers: { 'x-access-token': alice.token } });
    assert.equal(viaHeader.statusCode, 200);
    const viaQuery = await t.app.inject({ method: 'POST', url: `/uploads?token=${alice.token}`, headers: { 'content-type': 'txt' }, payload: 'hello' });
    assert.equal(viaQuery.statusCode, 200);
  });

  it('refuses a File-Name with path characters, the wrong length or the preview suffix (400)', async () => {
    const before = await storedFiles(t);
    for (const name of ['../x', 'a/b', 'a\\b', 'x'.repeat(65), 'a.b', 'has space', '', 'me-preview']) {
      const res = await upload(t.app, 'hello', { token: alice.token, fileName: name, contentType: 'txt' });
      assert.deepEqual(invalidNames(res), ['File-Name'], `File-Name ${JSON.stringify(name)}`);
    }
    assert.deepEqual(await storedFiles(t), before);
  });

  it('names an upload without File-Name with a new UUID', async () => {
    const res = await upload(t.app, 'just text', { token: alice.token, contentType: 'text/plain' });
    assert.equal(res.statusCode, 200);
    const { name, url } = res.json();
    const [id, ext] = name.split('.');
    assert.match(id, UUID);
    assert.equal(ext, 'txt');
    assert.equal(url, `http://parley.test/uploads/${name}`);
    const file = await t.app.inject(pathOf(url));
    assert.equal(file.body, 'just text');
  });

  it('stores a PNG with a 512 px preview, metadata-free, ready when the upload answers', async () => {
    const png = await makePng(2000, 1500);
    const res = await upload(t.app, png, { token: alice.token, fileName: 'big-png', contentType: 'png' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { name: 'big-png.png', url: 'http://parley.test/uploads/big-png.png' });
    const media = await t.app.core.ports.store.media.findById('big-png');
    assert.equal(media?.fileSize, png.length);
    assert.deepEqual([media?.width, media?.height, media?.previewWidth, media?.previewHeight], [2000, 1500, 512, 384]);

    const original = await t.app.inject('/uploads/big-png.png');
    assert.equal(original.headers['content-type'], 'image/png');
    assert.deepEqual(original.rawPayload, png);
    const preview = await t.app.inject('/uploads/big-png-preview.jpeg');
    assert.equal(preview.statusCode, 200);
    assert.equal(preview.headers['content-type'], 'image/jpeg');
    const meta = await sharp(preview.rawPayload).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 512, 384]);
  });

  it('stores a JPEG declared by MIME type; the preview drops its EXIF and never upscales', async () => {
    const jpeg = await makeJpeg(300, 200);
    assert.ok((await sharp(jpeg).metadata()).exif, 'the test image carries EXIF');
    const res = await upload(t.app, jpeg, { token: alice.token, fileName: 'small', contentType: 'image/jpeg' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().name, 'small.jpg');
    const preview = await t.app.inject('/uploads/small-preview.jpeg');
    const meta = await sharp(preview.rawPayload).metadata();
    assert.deepEqual([meta.width, meta.height], [300, 200]);
    assert.equal(meta.exif, undefined);
    assert.doesNotMatch(preview.rawPayload.toString('latin1'), /secret location/);
  });

  it('keeps a bare extension the client gave when the bytes agree', async () => {
    const res = await upload(t.app, await makeJpeg(10, 10), { token: alice.token, contentType: 'jpeg' });
    assert.match(res.json().name, /\.jpeg$/);
  });

  it('refuses a second upload with the same File-Name, in any letter case (409)', async () => {
    assert.equal((await upload(t.app, 'one', { token: alice.token, fileName: 'Twice', contentType: 'txt' })).statusCode, 200);
    problemOf(await upload(t.app, 'two', { token: alice.token, fileName: 'Twice', contentType: 'txt' }), 409);
    problemOf(await upload(t.app, 'two', { token: alice.token, fileName: 'twice', contentType: 'txt' }), 409);
    assert.equal((await t.app.inject('/uploads/Twice.txt')).body, 'one');
  });

  it('refuses HTML declared as PNG (415) and stores nothing', async () => {
    const before = await storedFiles(t);
    const html = '<!DOCTYPE html><html><script>alert(document.cookie)</script></html>';
    problemOf(await upload(t.app, html, { token: alice.token, fileName: 'fake', contentType: 'image/png' }), 415);
    problemOf(await upload(t.app, html, { token: alice.token, fileName: 'fake', contentType: 'png' }), 415);
    problemOf(await upload(t.app, await makePng(8, 8), { token: alice.token, fileName: 'fake', contentType: 'text/plain' }), 415);
    assert.deepEqual(await storedFiles(t), before);
    assert.equal(await t.app.core.ports.store.media.findById('fake'), undefined);
  });

  it('refuses a malformed Content-Type (400) and an empty body (400)', async () => {
    assert.deepEqual(invalidNames(await upload(t.app, 'x', { token: alice.token, contentType: 'not a type!' })), ['Content-Type']);
    assert.deepEqual(invalidNames(await upload(t.app, '', { token: alice.token, contentType: 'txt' })), ['body']);
  });

  it('refuses bodies over UPLOAD_MAX_BYTES (413), up front and while streaming, leaving nothing', async () => {
    const before = await storedFiles(t);
    const big = Buffer.alloc(256 * 1024 + 1, 7);
    problemOf(await upload(t.app, big, { token: alice.token, fileName: 'toobig', contentType: 'bin' }), 413);
    // A stream has no Content-Length: the limit is enforced while the bytes arrive.
    const chunks = Array.from({ length: 40 }, () => Buffer.alloc(16 * 1024, 1));
    const streamed = await upload(t.app, Readable.from(chunks), { token: alice.token, fileName: 'toobig', contentType: 'bin' });
    problemOf(streamed, 413);
    assert.deepEqual(await storedFiles(t), before);
    assert.equal(await t.app.core.ports.store.media.findById('toobig'), undefined);
  });

  it('refuses a decompression bomb (422) and stores nothing', async () => {
    const bomb = await makeBomb();
    assert.ok(bomb.length < 150 * 1024, `the bomb is ${bomb.length} bytes`);
    const meta = await sharp(bomb, { limitInputPixels: false }).metadata();
    assert.ok(meta.width! * meta.height! > MAX_INPUT_PIXELS);
    const before = await storedFiles(t);
    const res = await upload(t.app, bomb, { token: alice.token, fileName: 'bomb', contentType: 'png' });
    assert.match(problemOf(res, 422).detail, /pixels/);
    assert.deepEqual(await storedFiles(t), before);
    assert.equal(await t.app.core.ports.store.media.findById('bomb'), undefined);
  });

  it('refuses a PNG that does not decode (422)', async () => {
    const png = await makePng(100, 100);
    const broken = Buffer.concat([png.subarray(0, 60), Buffer.alloc(200, 0xff)]);
    problemOf(await upload(t.app, broken, { token: alice.token, fileName: 'broken', contentType: 'png' }), 422);
  });

  it('keeps the 64 KB JSON limit on other routes', async () => {
    const res = await t.app.inject({
      method: 'PUT',
      url: '/users/me',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ about: 'x'.repeat(70 * 1024) }),
    });
    problemOf(res, 413);
  });
});
