import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { openPostgresStore } from '../src/adapters/store/postgres.js';
import { openSqliteStore } from '../src/adapters/store/sqlite.js';
import { createTokenService } from '../src/core/tokens.service.js';
import { createTestSchema, postgresService } from './services.js';

const postgres = await postgresService();
const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;

describe('token service across nodes', () => {
  it('learns a key another node added, when a token names it', async () => {
    const { store } = await openSqliteStore(':memory:');
    let now = Date.now();
    const clock = { now: () => now };
    const nodeA = await createTokenService({ store, clock, ttlSeconds: 600 });
    // Another node (or a rotation) adds a newer key after A loaded its keys.
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    now += 5_000;
    await store.signingKeys.insert({
      kid,
      algorithm: 'EdDSA',
      privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicJwk: JSON.stringify(jwk),
      createdAt: now,
    });
    const nodeB = await createTokenService({ store, clock, ttlSeconds: 600 });
    const { token } = await nodeB.issue({ subject: 'u', sessionId: 's', tokenId: 't' });
    const claims = await nodeA.verify(token);
    assert.equal(claims.sessionId, 's');
    assert.ok(
      nodeA.jwks().keys.some((k) => k.kid === kid),
      'A now publishes the new key too',
    );
    // A now signs with the newest key as well.
    const fromA = await nodeA.issue({ subject: 'u', sessionId: 's2', tokenId: 't2' });
    assert.equal(JSON.parse(Buffer.from(fromA.token.split('.')[0]!, 'base64url').toString()).kid, kid);
    await store.close();
  });
});

describe('token service: nodes starting at once on an empty PostgreSQL store', { skip: postgres.skip }, () => {
  it('make one first key between them, and every node signs with it', async () => {
    const schema = await createTestSchema();
    // Migrated by the first open; the nodes' own stores then start on an empty key table.
    const setup = await openPostgresStore(schema.url, { poolSize: 1 });
    await setup.store.close();
    const nodes = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(schema.url, { poolSize: 2 })));
    try {
      const clock = { now: () => Date.now() };
      const services = await Promise.all(nodes.map(({ store }) => createTokenService({ store, clock, ttlSeconds: 600 })));
      assert.equal((await nodes[0]!.store.signingKeys.list()).length, 1, 'one key in the store');
      const kids = await Promise.all(services.map(async (s, i) => kidOf((await s.issue({ subject: 'u', sessionId: `s${i}`, tokenId: `t${i}` })).token)));
      assert.equal(new Set(kids).size, 1, `every node signs with the same key: ${kids.join(', ')}`);
    } finally {
      await Promise.all(nodes.map(({ store }) => store.close()));
      await schema.drop();
    }
  });
});
