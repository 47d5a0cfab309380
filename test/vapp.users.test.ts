import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { bearer, register, startApp, type TestApp } from './helpers.js';
import { makePng, pathOf, storedFiles } from './media-helpers.js';
import { defaultAvatar, multipart, postImage, vappSignup } from './vapp-helpers.js';

const validation = (name: string, reason: string) => ({
  type: 'data:validation',
  title: 'Bad Request',
  detail: 'The request failed due to validation errors',
  invalid_parameters: [{ name, reason }],
});

describe('V-app users and images', () => {
  let t: TestApp;
  const clock = {
    t: Date.now(),
    now() {
      return this.t;
    },
  };
  before(async () => {
    t = await startApp({ UPLOAD_MAX_BYTES: String(64 * 1024) }, { clock });
  });
  after(() => t.destroy());

  it('needs a token on every protected route (400 auth:missingtoken)', async () => {
    const png = await makePng(8, 8);
    for (const res of [
      await t.app.inject('/vapp/users'),
      await postImage(t.app, '/vapp/users/image', undefined, png),
      await postImage(t.app, '/vapp/image', undefined, png),
    ]) {
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().type, 'auth:missingtoken');
    }
  });

  it('lists everyone but the caller, natively made accounts included', async () => {
    const ann = await vappSignup(t.app, { display_name: 'Ann A' });
    const native = await register(t.app);
    const res = await t.app.inject({ url: '/vapp/users', headers: bearer(ann.token) });
    assert.equal(res.statusCode, 200);
    const list = res.json();
    assert.ok(Array.isArray(list));
    assert.ok(!list.some((u: any) => u.id === ann.id), 'not the caller');
    assert.deepEqual(
      list.find((u: any) => u.name === native.username),
      {
        id: `USR-${native.uid}`,
        name: native.username,
        display_name: `Name ${native.username}`,
        image_url: defaultAvatar(native.username),
      },
    );
    const fromNative = await t.app.inject({ method: 'POST', url: '/vapp/login', payload: { name: native.username, password: native.password } });
    const theirs = (await t.app.inject({ url: '/vapp/users', headers: bearer(fromNative.json().token) })).json();
    assert.deepEqual(
      theirs.find((u: any) => u.id === ann.id),
      { id: ann.id, name: ann.name, display_name: 'Ann A', image_url: defaultAvatar(ann.name) },
    );
  });

  it('sets the caller’s image: an absolute, served URL that becomes their newest photo everywhere', async () => {
    const ann = await vappSignup(t.app);
    const bob = await vappSignup(t.app);
    const png = await makePng(40, 30);
    const res = await postImage(t.app, '/vapp/users/image', ann.token, png);
    assert.equal(res.statusCode, 200);
    const { image_url: url } = res.json();
    assert.deepEqual(Object.keys(res.json()), ['image_url']);
    assert.match(url, /^http:\/\/parley\.test\/uploads\/[0-9a-f-]{36}\.png$/);
    const served = await t.app.inject(pathOf(url));
    assert.equal(served.statusCode, 200);
    assert.equal(served.headers['content-type'], 'image/png');
    assert.deepEqual(served.rawPayload, png);
    // Bob sees it in GET /users, Ann in her next log-in answer, natively it is her newest photo.
    const seen = (await t.app.inject({ url: '/vapp/users', headers: bearer(bob.token) })).json();
    assert.equal(seen.find((u: any) => u.id === ann.id).image_url, url);
    const login = await t.app.inject({ method: 'POST', url: '/vapp/login', payload: { name: ann.name, password: 'correct horse battery' } });
    assert.equal(login.json().user.image_url, url);
    clock.t += 1000; // photos are ordered by when they were attached
    const second = (await postImage(t.app, '/vapp/users/image', ann.token, await makePng(10, 10, '#123'))).json().image_url;
    assert.notEqual(second, url);
    const native = await t.app.inject({ method: 'POST', url: '/users/login', payload: { username: ann.name, password: 'correct horse battery' } });
    assert.deepEqual(
      native.json().photos.map((p: any) => p.url),
      [second, url],
    );
  });

  it('stores an image with POST /image without changing the caller’s image', async () => {
    const ann = await vappSignup(t.app);
    const res = await postImage(t.app, '/vapp/image', ann.token, await makePng(20, 20), { contentType: 'application/octet-stream', filename: 'whatever.bin' });
    assert.equal(res.statusCode, 200);
    const url = res.json().image_url;
    assert.match(url, /^http:\/\/parley\.test\/uploads\/[0-9a-f-]{36}\.png$/, 'the bytes decide the type');
    assert.equal((await t.app.inject(pathOf(url))).statusCode, 200);
    const me = await t.app.inject({ method: 'POST', url: '/vapp/login', payload: { name: ann.name, password: 'correct horse battery' } });
    assert.equal(me.json().user.image_url, defaultAvatar(ann.name), 'a shared image is not the user image');
    // Kept: the sweep of never-attached uploads (after a day) does not take it, unlike a bare native upload.
    const owner = (await t.app.core.ports.store.users.findByUsername(ann.name))!.id;
    const bare = await t.app.core.media.upload(owner, { body: Readable.from([await makePng(3, 3)]) });
    const start = clock.t;
    try {
      clock.t += 2 * 24 * 3600_000;
      await t.app.core.media.sweepUnattached();
    } finally {
      clock.t = start;
    }
    assert.equal((await t.app.inject(pathOf(url))).statusCode, 200);
    assert.equal((await t.app.inject(`/uploads/${bare.id}.png`)).statusCode, 404);
  });

  it('takes images only: anything else is 403 data:validation on "image", and nothing is kept', async () => {
    const ann = await vappSignup(t.app);
    const before = (await storedFiles(t)).length;
    for (const url of ['/vapp/users/image', '/vapp/image']) {
      const html = await postImage(t.app, url, ann.token, Buffer.from('<html><script>alert(1)</script></html>'), { contentType: 'image/png' });
      assert.equal(html.statusCode, 403);
      assert.deepEqual(html.json(), validation('image', 'must be a PNG, JPEG, GIF or WebP image'));
      const text = await postImage(t.app, url, ann.token, Buffer.from('just text'), { contentType: 'text/plain', filename: 'a.txt' });
      assert.deepEqual(text.json(), validation('image', 'must be a PNG, JPEG, GIF or WebP image'));
      const empty = await postImage(t.app, url, ann.token, Buffer.alloc(0));
      assert.equal(empty.statusCode, 403);
      assert.deepEqual(empty.json(), validation('image', 'must not be empty'));
      const otherField = await postImage(t.app, url, ann.token, await makePng(5, 5), { field: 'photo' });
      assert.deepEqual(otherField.json(), validation('image', 'must exist'));
      const json = await t.app.inject({ method: 'POST', url, headers: bearer(ann.token), payload: { image: 'x' } });
      if (url === '/vapp/image') {
        // JSON here is the original backend's POST /image {image_url} (test/vapp.conversations.test.ts).
        assert.equal(json.statusCode, 400);
        assert.equal(json.json().detail, 'The request must include image_url');
      } else {
        assert.equal(json.statusCode, 403);
        assert.deepEqual(json.json(), validation('image', 'must be sent as multipart/form-data'));
      }
    }
    assert.equal((await storedFiles(t)).length, before);
  });

  it('refuses an image over UPLOAD_MAX_BYTES with 413, keeping nothing', async () => {
    const ann = await vappSignup(t.app);
    const before = (await storedFiles(t)).length;
    const big = Buffer.concat([await makePng(4, 4), Buffer.alloc(70 * 1024, 1)]);
    const res = await postImage(t.app, '/vapp/users/image', ann.token, big);
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().type, 'data:toolarge');
    assert.equal((await storedFiles(t)).length, before);
    // Fields before the file are fine; a malformed form is a 400, not a 500.
    const withField = multipart(await makePng(6, 6), { fields: { note: 'hello' } });
    assert.equal(
      (await t.app.inject({ method: 'POST', url: '/vapp/image', headers: { ...withField.headers, ...bearer(ann.token) }, payload: withField.payload }))
        .statusCode,
      200,
    );
    const broken = await t.app.inject({
      method: 'POST',
      url: '/vapp/image',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz', ...bearer(ann.token) },
      payload: '--xyz\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n\x89PNG',
    });
    assert.equal(broken.statusCode, 400, broken.body);
    assert.equal(broken.json().type, 'data:malformed');
  });

  it('gives a user without a photo a default avatar URL, served as an SVG with initials (client-web/script.js line 665 reads image_url.includes)', async () => {
    const bo = await vappSignup(t.app, { name: 'bo.dee' });
    assert.equal(bo.body.user.image_url, defaultAvatar('bo.dee'));
    const avatar = await t.app.inject(pathOf(bo.body.user.image_url));
    assert.equal(avatar.statusCode, 200);
    assert.match(String(avatar.headers['content-type']), /^image\/svg\+xml/);
    assert.match(avatar.body, /^<svg [^>]*>.*>BD<\/text><\/svg>$/);
    assert.equal(avatar.body, (await t.app.inject(pathOf(bo.body.user.image_url))).body, 'stable for a name');
    for (const bad of ['/vapp/avatars/x.png', '/vapp/avatars/%3Cscript%3E.svg']) {
      const res = await t.app.inject(bad);
      assert.equal(res.statusCode, 403, bad);
      assert.equal(res.json().type, 'data:validation', 'the V-app’s validation answer');
    }
  });
});
