/**
 * Attack suite, uploads: oversize bodies, lying content types, scripts in SVG and HTML,
 * decompression bombs, and path tricks in names and URLs, through the native and V-app
 * upload routes. Nothing is stored by a refused upload and nothing outside the uploads is
 * ever served.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { bearer, register, type Registered, type TestApp } from '../helpers.js';
import { makePng, storedFiles, upload } from '../media-helpers.js';
import { postImage } from '../vapp-helpers.js';
import { assertNothingLeaked, recordResponses, startRecordedApp, type Recorded } from './support.js';

const MAX = 100_000;

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A few hundred bytes of valid PNG whose header declares `width`×`height` RGB pixels. */
function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = deflateSync(Buffer.alloc(64 * 1024), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', rows),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const SVG = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>';

/** Sends raw bytes over TCP and returns what the server answered (for requests inject cannot express). */
function rawHttp(port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('end', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.end(request);
  });
}

describe('security: upload abuse', () => {
  let t: TestApp;
  let seen: Recorded[];
  let user: Registered;
  let vappToken: string;

  before(async () => {
    ({ t } = await startRecordedApp({ UPLOAD_MAX_BYTES: String(MAX) }));
    seen = recordResponses(t.app);
    user = await register(t.app);
    vappToken = (await t.app.inject({ method: 'POST', url: '/vapp/login', payload: { name: user.username, password: user.password } })).json().token;
  });
  after(() => t.destroy());

  const nothingStored = async (action: () => Promise<void>) => {
    const before = (await storedFiles(t)).sort();
    await action();
    assert.deepEqual((await storedFiles(t)).sort(), before);
  };

  it('refuses oversize bodies with 413, declared or streamed, natively and in the V-app', async () => {
    await nothingStored(async () => {
      const declared = await upload(t.app, Buffer.alloc(MAX + 1, 1), { token: user.token, contentType: 'application/octet-stream' });
      assert.equal(declared.statusCode, 413, declared.body);
      const streamed = await upload(t.app, Readable.from([Buffer.alloc(MAX / 2), Buffer.alloc(MAX / 2), Buffer.alloc(10)]), { token: user.token });
      assert.equal(streamed.statusCode, 413, streamed.body);
      const png = Buffer.concat([await makePng(10, 10), Buffer.alloc(MAX)]);
      const vapp = await postImage(t.app, '/vapp/users/image', vappToken, png, { contentType: 'image/png' });
      assert.equal(vapp.statusCode, 413, vapp.body);
      assert.equal(vapp.json().type, 'data:toolarge');
      const json = await t.app.inject({ method: 'PUT', url: '/users/me', headers: bearer(user.token), payload: { about: 'x'.repeat(70 * 1024) } });
      assert.equal(json.statusCode, 413);
    });
  });

  it('refuses content types the bytes contradict with 415, and non-images where images are asked for', async () => {
    const png = await makePng(8, 8);
    const lies: Array<[string | Buffer, string]> = [
      ['<html><script>alert(1)</script></html>', 'image/png'],
      [png, 'text/plain'],
      [png, 'image/jpeg'],
      [png, 'jpeg'],
      [Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(200)]), 'image/gif'],
      [SVG, 'image/png'],
      [Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n', 'latin1'), 'image/webp'],
    ];
    await nothingStored(async () => {
      for (const [body, type] of lies) {
        const res = await upload(t.app, body, { token: user.token, contentType: type });
        assert.equal(res.statusCode, 415, `${type}: ${res.statusCode} ${res.body}`);
      }
    });
    // An upload that is not one of the four image types never becomes a photo or a V-app image.
    const text = (await upload(t.app, 'just text', { token: user.token, contentType: 'text/plain' })).json().name.split('.')[0];
    const photo = await t.app.inject({ method: 'POST', url: '/users/me/photos', headers: bearer(user.token), payload: { photo: { id: text } } });
    assert.equal(photo.statusCode, 415);
    const vapp = await postImage(t.app, '/vapp/image', vappToken, Buffer.from(SVG), { contentType: 'image/png', filename: 'x.png' });
    assert.equal(vapp.statusCode, 403);
    assert.equal(vapp.json().invalid_parameters[0].name, 'image');
  });

  it('serves scriptable uploads (SVG, HTML, a GIF/HTML polyglot) so they cannot run: attachment, nosniff, sandboxed CSP', async () => {
    const polyglot = Buffer.concat([Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), Buffer.from('<html><script>alert(1)</script></html>')]);
    const cases: Array<[string | Buffer, string]> = [
      [SVG, 'image/svg+xml'],
      [SVG, 'svg'],
      ['<html><body onload=alert(1)>', 'text/html'],
      [polyglot, 'image/gif'],
      ['<script>alert(1)</script>', 'application/javascript'],
    ];
    let served = 0;
    for (const [body, type] of cases) {
      const res = await upload(t.app, body, { token: user.token, contentType: type });
      if (res.statusCode !== 200) {
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${type}: ${res.statusCode}`);
        continue;
      }
      const file = await t.app.inject(`/uploads/${res.json().name}`);
      assert.equal(file.statusCode, 200);
      const ct = String(file.headers['content-type']);
      assert.ok(!/html|javascript/.test(ct) || String(file.headers['content-disposition']).startsWith('attachment'), `${type} served as ${ct}`);
      assert.equal(file.headers['x-content-type-options'], 'nosniff', type);
      assert.equal(file.headers['content-security-policy'], "default-src 'none'; sandbox", type);
      if (!/^image\/(png|jpeg|gif|webp)$/.test(ct)) assert.match(String(file.headers['content-disposition']), /^attachment/, `${type} (${ct}) must download`);
      served++;
    }
    assert.ok(served >= 3, `only ${served} of the scriptable uploads were stored: nothing to check`);
  });

  it('refuses decompression bombs with 4xx from the header alone, without blowing memory, and stays healthy', async () => {
    const bombs = [pngDeclaring(100_000, 100_000), pngDeclaring(20_000, 20_000), pngDeclaring(2 ** 31 - 1, 2 ** 31 - 1), pngDeclaring(1, 60_000_000)];
    const rss = process.memoryUsage().rss;
    await nothingStored(async () => {
      const answers = await Promise.all(
        bombs.flatMap((bomb) => [
          upload(t.app, bomb, { token: user.token, contentType: 'image/png' }),
          postImage(t.app, '/vapp/users/image', vappToken, bomb, { contentType: 'image/png' }),
        ]),
      );
      for (const res of answers) assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode} ${res.body}`);
      assert.ok(answers.filter((_, i) => i % 2 === 0).every((r) => r.statusCode === 422));
    });
    const grown = (process.memoryUsage().rss - rss) / 2 ** 20;
    assert.ok(grown < 200, `memory grew by ${grown.toFixed(0)} MiB`);
    assert.equal((await t.app.inject('/healthz')).statusCode, 200);
    // A real image just under the pixel limit's header check still works (the test is not refusing everything).
    assert.equal((await upload(t.app, await makePng(600, 400), { token: user.token, contentType: 'image/png' })).statusCode, 200);
  });

  it('refuses path tricks in File-Name with 400 and stores nothing', async () => {
    const names = [
      '../x',
      '..%2fx',
      '%2e%2e%2fx',
      '..',
      'a\\b',
      'a/b',
      'x.png',
      '.hidden',
      'x'.repeat(65),
      '',
      ' ',
      'ﬁle',
      'ｘ',
      'name-preview',
      'a b',
      'a;b',
      'a%00b',
    ];
    await nothingStored(async () => {
      for (const name of names) {
        const res = await upload(t.app, 'hello', { token: user.token, fileName: name, contentType: 'text/plain' });
        assert.equal(res.statusCode, 400, `File-Name ${JSON.stringify(name)}: ${res.statusCode} ${res.body}`);
      }
    });
    // A NUL or a line break cannot even be sent through inject; over raw TCP the parser refuses them.
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as net.AddressInfo;
    for (const bad of ['a\u0000b', 'a\rb']) {
      const answer = await rawHttp(
        port,
        `POST /uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\nFile-Name: ${bad}\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello`,
      );
      assert.match(answer, /^HTTP\/1\.1 400/, JSON.stringify(answer.slice(0, 80)));
    }
  });

  it('never serves anything outside the uploads, however the URL is spelled', async () => {
    const { port } = t.app.server.address() as net.AddressInfo;
    const urls = [
      '/uploads/..%2f..%2fetc%2fpasswd',
      '/uploads/..%2f..%2fetc/passwd',
      '/uploads/..%2fparley.db',
      '/uploads/%2e%2e%2f%2e%2e%2fparley.db',
      '/uploads/....%2f%2f....%2f%2fetc%2fpasswd',
      '/uploads/..%5c..%5cparley.db',
      '/uploads/%00.png',
      '/uploads/x.png%00.html',
      '/uploads/%c0%ae%c0%ae%2fparley.db',
      '/uploads/parley.db',
      '/uploads/uploads',
      '/uploads/.',
      '/uploads/%2e',
      '/uploads/x.png/..%2f..%2fparley.db',
    ];
    for (const url of urls) {
      for (const method of ['GET', 'HEAD'] as const) {
        const res = await t.app.inject({ method, url });
        assert.ok(res.statusCode === 404 || res.statusCode === 400, `${method} ${url}: ${res.statusCode}`);
        assert.ok(!/root:|SQLite format/.test(res.body), url);
      }
    }
    for (const path of ['/uploads/../../etc/passwd', '/uploads/..\\..\\parley.db', '/uploads/%2e%2e/%2e%2e/parley.db', '//uploads/../parley.db']) {
      const answer = await rawHttp(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 (400|404)/, `${path}: ${answer.slice(0, 40)}`);
      assert.ok(!/root:|SQLite format/.test(answer), path);
    }
  });

  it('no answer carried a password or account-key hash, or a token it did not issue', () => {
    assertNothingLeaked(seen);
  });
});
