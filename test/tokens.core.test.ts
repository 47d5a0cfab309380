import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { openSqliteStore } from '../src/adapters/store/sqlite.js';
import { createTokenService } from '../src/core/tokens.service.js';

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
