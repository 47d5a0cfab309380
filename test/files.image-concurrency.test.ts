/**
 * Issue 24 item 5: image previews run at most IMAGE_CONCURRENCY at a time, from the stored
 * file. Observed through libvips's own task counters while concurrent uploads are processed
 * (each preview is two tasks: the header read and the resize). The memory figures are in
 * bench/results-upload-images.md.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { bearer, register, startApp, type Registered, type TestApp } from './helpers.js';

const SIDE = 1600;
const UPLOADS = 8;

describe('image preview concurrency', () => {
  let t: TestApp;
  let user: Registered;
  let png: Buffer;
  before(async () => {
    t = await startApp({ IMAGE_CONCURRENCY: '1' });
    user = await register(t.app);
    png = await sharp(randomBytes(SIDE * SIDE * 3), { raw: { width: SIDE, height: SIDE, channels: 3 } })
      .png({ compressionLevel: 1 })
      .toBuffer();
  });
  after(() => t.destroy());

  it(`previews ${UPLOADS} concurrent uploads one at a time with IMAGE_CONCURRENCY=1`, async () => {
    let most = 0;
    let running = true;
    const watch = (async () => {
      while (running) {
        const { queue, process } = sharp.counters();
        most = Math.max(most, queue + process);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const answers = await Promise.all(
      Array.from({ length: UPLOADS }, (_, i) =>
        t.app.inject({
          method: 'POST',
          url: '/uploads',
          headers: { ...bearer(user.token), 'content-type': 'image/png', 'file-name': `conc${i}` },
          payload: png,
        }),
      ),
    );
    running = false;
    await watch;
    for (const res of answers) assert.equal(res.statusCode, 200, res.body);
    for (let i = 0; i < UPLOADS; i++) {
      const preview = await t.app.inject({ url: `/uploads/conc${i}-preview.jpeg` });
      assert.equal(preview.statusCode, 200);
    }
    assert.ok(most > 0, 'libvips tasks were seen');
    assert.ok(most <= 2, `at most one preview (two libvips tasks) at a time; saw ${most} tasks`);
  });
});
