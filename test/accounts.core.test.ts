import assert from 'node:assert/strict';
import { getPriority } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { createFsBlobStore } from '../src/adapters/blobs/fs.js';
import { createArgon2Hasher } from '../src/adapters/hasher/argon2.js';
import { createMemoryBus } from '../src/adapters/bus/memory.js';
import { createSqliteRateLimiter } from '../src/adapters/limits/sqlite.js';
import { openSqliteStore, type SqliteStore } from '../src/adapters/store/sqlite.js';
import { createCore } from '../src/core/index.js';
import type { AppError } from '../src/errors.js';
import type { Hasher } from '../src/ports/hasher.js';
import { systemClock } from '../src/ports/clock.js';
import { tempDir } from './helpers.js';

describe('argon2id hasher', () => {
  it('uses OWASP parameters by default and verifies its own hashes', async () => {
    const hasher = createArgon2Hasher({ memoryKiB: 19456, timeCost: 2, parallelism: 1 });
    const phc = await hasher.hash('correct horse');
    assert.match(phc, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await hasher.verify(phc, 'correct horse'), true);
    assert.equal(await hasher.verify(phc, 'wrong horse'), false);
    assert.equal(await hasher.verify('not a hash', 'x'), false, 'a malformed hash is a mismatch, not a crash');
    await hasher.close();
  });

  it('keeps the event loop turning while it hashes', async () => {
    const hasher = createArgon2Hasher({ memoryKiB: 19456, timeCost: 2, parallelism: 1 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all(Array.from({ length: 8 }, (_, i) => hasher.hash(`secret ${i}`)));
    clearInterval(timer);
    // Eight hashes at ~20-30 ms each on a thread pool of 4: a blocked loop would tick ~0 times.
    assert.ok(ticks > 5, `the loop ticked ${ticks} times during the hashes`);
    await hasher.close();
  });

  it('hashes on threads of the lowest CPU priority, so requests go first on a busy machine', {
    skip: process.platform !== 'linux' && 'thread priorities are set on Linux only',
  }, async () => {
    const hasher = createArgon2Hasher({ memoryKiB: 1024, timeCost: 1, parallelism: 1, concurrency: 2 });
    try {
      assert.equal(await hasher.lowPriority(), true);
      // The event loop's own thread keeps its priority.
      assert.equal(getPriority(), 0);
    } finally {
      await hasher.close();
    }
  });
});

describe('accounts core', () => {
  let sqlite: SqliteStore;
  let verifies: string[];
  let core: Awaited<ReturnType<typeof createCore>>;
  before(async () => {
    sqlite = await openSqliteStore(':memory:');
    const real = createArgon2Hasher({ memoryKiB: 1024, timeCost: 1, parallelism: 1 });
    verifies = [];
    const counting: Hasher = { hash: real.hash, verify: (hash, secret) => (verifies.push(hash), real.verify(hash, secret)) };
    core = await createCore(
      {
        store: sqlite.store,
        bus: createMemoryBus(),
        blobs: createFsBlobStore(tempDir()),
        hasher: counting,
        limiter: createSqliteRateLimiter(sqlite.connection),
        clock: systemClock,
      },
      { tokenTtlSeconds: 3600, tokenSigningKey: undefined, rateLimits: null, uploadMaxBytes: 1024 * 1024, uploadUnattachedTtlSeconds: 3600 },
    );
  });
  after(() => sqlite.store.close());

  it('verifies one argon2 hash for an unknown user, as for a wrong password', async () => {
    await core.accounts.register({ name: 'A', username: 'known', password: 'password123', ipAddress: '::1' });
    verifies.length = 0;
    await assert.rejects(core.accounts.login({ username: 'known' }, 'wrong password', undefined, '::1'), (e: AppError) => e.code === 'bad_credentials');
    await assert.rejects(core.accounts.login({ username: 'unknown' }, 'wrong password', undefined, '::1'), (e: AppError) => e.code === 'bad_credentials');
    assert.equal(verifies.length, 2);
    assert.ok(
      verifies.every((h) => h.startsWith('$argon2id$')),
      'the unknown user is checked against a real dummy hash',
    );
  });

  it('stores only hashes of passwords and account keys', async () => {
    const { user, opened } = await core.accounts.register({ name: 'B', username: 'hashed', password: 'password123', ipAddress: '::1' });
    const auth = await core.sessions.authenticate(opened.accessToken);
    await core.accounts.setAccountKey(auth.user, 'password123', 'recovery key 1', '::1');
    const stored = await sqlite.store.users.findById(user.id);
    assert.match(stored!.passwordHash, /^\$argon2id\$/);
    assert.match(stored!.accountKeyHash!, /^\$argon2id\$/);
    const raw = JSON.stringify(sqlite.connection.prepare('select * from users where id = ?').get(user.id));
    assert.ok(!raw.includes('password123') && !raw.includes('recovery key 1'));
  });

  it('applies the username rules to every caller, not only the HTTP schema', async () => {
    await assert.rejects(
      core.accounts.register({ name: 'C', username: 'bad name!', password: 'password123', ipAddress: '::1' }),
      (e: AppError) => e.code === 'validation' && e.details.invalidParameters?.[0]?.name === 'username',
    );
  });
});
