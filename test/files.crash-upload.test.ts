// @one-pass: server processes of its own; the PostgreSQL + Redis pass would run it again unchanged.
/**
 * Issue 24 item 6: a crash (kill -9) mid-upload used to leave the name taken (409 for the
 * day-long TTL) and a partial file on disk. With upload leases, the restarted server frees
 * the name and removes the partial bytes within about one lease (UPLOAD_LEASE_SECONDS).
 */
import assert from 'node:assert/strict';
import { readdirSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir } from './helpers.js';
import { registerOn, startServer } from './server-process.js';

const LEASE = { UPLOAD_LEASE_SECONDS: '1' };

/** Polls `check` until it returns true (bounded); fails with `what`. */
async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const upload = (url: string, token: string, name: string, body: Buffer) =>
  fetch(`${url}/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'file-name': name },
    body,
  });

describe('an upload interrupted by a crash', () => {
  const dataDir = tempDir('parley-crash-');
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('frees its name and removes its partial file once the server is back', async () => {
    const first = await startServer({ DATA_DIR: dataDir, ...LEASE });
    const user = await registerOn(first.url, 'crash');
    const uploads = path.join(dataDir, 'uploads');
    const partials = () => readdirSync(uploads).filter((name) => name.startsWith('.tmp-'));

    // Half of a 4 MB body, then the server dies before the rest arrives.
    const req = http.request(`${first.url}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/octet-stream', 'content-length': String(4 << 20), 'file-name': 'crashed' },
    });
    req.on('error', () => {}); // the connection dies with the server
    req.write(Buffer.alloc(2 << 20, 7));
    await until('the partial file is on disk', () => partials().some((name) => statSync(path.join(uploads, name)).size > 0));
    await first.kill();
    req.destroy();
    assert.ok(partials().length > 0, 'the crash left a partial file');

    const second = await startServer({ DATA_DIR: dataDir, ...LEASE });
    try {
      let last = 0;
      await until('the name is free again', async () => {
        last = (await upload(second.url, user.token, 'crashed', Buffer.from('whole file'))).status;
        return last === 200;
      });
      assert.equal(last, 200);
      await until('the partial file is gone', () => partials().length === 0);
      assert.deepEqual(readdirSync(uploads).sort(), ['crashed.bin']);
      assert.equal(await (await fetch(`${second.url}/uploads/crashed.bin`)).text(), 'whole file');
    } finally {
      await second.kill();
    }
  });
});
