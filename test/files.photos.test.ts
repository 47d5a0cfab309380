import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, bearer, problemOf, register, startApp, type Registered, type TestApp } from './helpers.js';
import { makeJpeg, makePng, pathOf, storedFiles, upload } from './media-helpers.js';

/** A clock the tests move by hand. */
const testClock = () => ({
  t: Date.now(),
  now() {
    return this.t;
  },
});

describe('user photos', () => {
  let t: TestApp;
  let alice: Registered;
  let bob: Registered;
  const clock = testClock();
  // Long tokens: the sweep test moves the clock a day on.
  before(async () => {
    t = await startApp({ TOKEN_TTL_SECONDS: String(30 * 24 * 3600) }, { clock });
    alice = await register(t.app);
    bob = await register(t.app);
  });
  after(() => t.destroy());

  const addPhoto = (who: Registered, id: string) =>
    t.app.inject({ method: 'POST', url: '/users/me/photos', headers: bearer(who.token), payload: { photo: { id, fileType: 'gif', fileSize: 1 } } });
  const me = async (who: Registered) => (await t.app.inject({ url: '/users/me', headers: bearer(who.token) })).json();

  it('needs a token (401) and a valid body (400)', async () => {
    problemOf(await t.app.inject({ method: 'POST', url: '/users/me/photos', payload: { photo: { id: 'x' } } }), 401);
    problemOf(await t.app.inject({ method: 'POST', url: '/users/me/photos', headers: bearer(alice.token), payload: { photo: { id: '../x' } } }), 400);
    problemOf(await t.app.inject({ method: 'DELETE', url: '/users/me/photos/x' }), 401);
  });

  it('lists photos newest first with absolute url and previewUrl, everywhere a user is shown', async () => {
    await upload(t.app, await makePng(2000, 1500), { token: alice.token, fileName: 'first', contentType: 'png' });
    await upload(t.app, await makeJpeg(100, 300), { token: alice.token, fileName: 'second', contentType: 'jpg' });
    const events: number[] = [];
    const unsubscribe = t.app.core.ports.bus.subscribe('user.updated', ({ userId }) => events.push(userId));
    assert.equal((await addPhoto(alice, 'first')).statusCode, 200);
    clock.t += 1000;
    const res = await addPhoto(alice, 'second');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {});
    unsubscribe();
    assert.deepEqual(events, [alice.id, alice.id]);

    const photos = (await me(alice)).photos;
    assert.deepEqual(
      photos.map((p: any) => p.id),
      ['second', 'first'],
    );
    const [second, first] = photos;
    assert.equal(first.fileType, 'png', 'the server record wins over the advisory fileType');
    assert.equal(first.url, 'http://parley.test/uploads/first.png');
    assert.equal(first.previewUrl, 'http://parley.test/uploads/first-preview.jpeg');
    assert.deepEqual([first.previewWidth, first.previewHeight], [512, 384]);
    assert.deepEqual([second.previewWidth, second.previewHeight], [100, 300]);
    assert.ok(first.fileSize > 1);
    assert.match(first.createdAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal((await t.app.inject(pathOf(second.previewUrl))).statusCode, 200);

    const byId = (await t.app.inject({ url: `/users/${alice.id}`, headers: bearer(bob.token) })).json();
    assert.deepEqual(byId.photos, photos);
    const found = (await t.app.inject({ url: `/users?s=${alice.username}`, headers: bearer(bob.token) })).json();
    assert.deepEqual(found[0].photos, photos);
    const login = await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(alice.username, alice.password) });
    assert.deepEqual(login.json().photos, photos);
  });

  it('refuses another user’s upload (404, like an unknown one), a non-image (415), an unknown id (404)', async () => {
    await upload(t.app, await makePng(10, 10), { token: bob.token, fileName: 'bobs', contentType: 'png' });
    problemOf(await addPhoto(alice, 'bobs'), 404);
    problemOf(await addPhoto(alice, 'nobody-uploaded-this'), 404);
    await upload(t.app, 'plain text', { token: alice.token, fileName: 'notes', contentType: 'txt' });
    problemOf(await addPhoto(alice, 'notes'), 415);
    assert.deepEqual((await me(bob)).photos, []);
    assert.ok(!(await me(alice)).photos.some((p: any) => p.id === 'bobs'));
  });

  it('deletes a photo with its files; not yours or unknown is 404', async () => {
    await upload(t.app, await makePng(20, 20), { token: alice.token, fileName: 'doomed', contentType: 'png' });
    await addPhoto(alice, 'doomed');
    assert.ok((await storedFiles(t)).includes('doomed.png'));
    problemOf(await t.app.inject({ method: 'DELETE', url: '/users/me/photos/doomed', headers: bearer(bob.token) }), 404);
    problemOf(await t.app.inject({ method: 'DELETE', url: '/users/me/photos/nope', headers: bearer(alice.token) }), 404);
    // An upload that is not a photo is not deleted through the photo route.
    problemOf(await t.app.inject({ method: 'DELETE', url: '/users/me/photos/notes', headers: bearer(alice.token) }), 404);

    const res = await t.app.inject({ method: 'DELETE', url: '/users/me/photos/doomed', headers: bearer(alice.token) });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {});
    assert.ok(!(await storedFiles(t)).some((f) => f.startsWith('doomed')));
    assert.equal((await t.app.inject('/uploads/doomed.png')).statusCode, 404);
    assert.ok(!(await me(alice)).photos.some((p: any) => p.id === 'doomed'));
  });

  it('removes uploads never attached after UPLOAD_UNATTACHED_TTL_SECONDS, keeping photos', async () => {
    await upload(t.app, 'forgotten', { token: bob.token, fileName: 'forgotten', contentType: 'txt' });
    await upload(t.app, await makePng(10, 10), { token: bob.token, fileName: 'kept', contentType: 'png' });
    await addPhoto(bob, 'kept');
    assert.equal(await t.app.core.media.sweepUnattached(), 0, 'nothing is old enough yet');
    clock.t += 24 * 3600 * 1000 + 1;
    const fresh = (await upload(t.app, 'fresh', { token: bob.token, contentType: 'txt' })).json().name;
    assert.ok((await t.app.core.media.sweepUnattached()) >= 2);
    const files = await storedFiles(t);
    assert.ok(!files.includes('forgotten.txt') && !files.includes('bobs.png') && !files.includes('bobs-preview.jpeg'));
    assert.ok(files.includes('kept.png') && files.includes('kept-preview.jpeg') && files.includes(fresh));
    assert.equal((await t.app.inject('/uploads/forgotten.txt')).statusCode, 404);
    assert.deepEqual(
      (await me(bob)).photos.map((p: any) => p.id),
      ['kept'],
    );
  });

  it('deletes the account’s files with the account', async () => {
    const carol = await register(t.app);
    await upload(t.app, await makePng(30, 30), { token: carol.token, fileName: 'carol-photo', contentType: 'png' });
    await upload(t.app, 'loose', { token: carol.token, fileName: 'carol-loose', contentType: 'txt' });
    await addPhoto(carol, 'carol-photo');
    assert.equal((await storedFiles(t)).filter((f) => f.startsWith('carol-')).length, 3);
    const res = await t.app.inject({ method: 'DELETE', url: '/users/me', headers: basic(carol.username, carol.password) });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      (await storedFiles(t)).filter((f) => f.startsWith('carol-')),
      [],
    );
    assert.equal(await t.app.core.ports.store.media.findById('carol-loose'), undefined);
    assert.ok((await storedFiles(t)).includes('kept.png'), 'other users’ files stay');
  });
});
