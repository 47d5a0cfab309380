/**
 * Access tokens: short-lived JWTs bound to a device session. Signed with an asymmetric key
 * (Ed25519 by default, or the configured EdDSA/ES256 PEM) whose `kid` is in the header and
 * whose public half is published as a JWKS. The verifier pins algorithm, type, issuer and
 * audience, so a V-app or foreign token can never pass as an access token (RFC 8725 3.12).
 * Revocation is not checked here: the sessions service does that on every request.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { AppError, unauthenticated } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { SigningKeyRecord, Store } from '../ports/store.js';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ACCESS_TOKEN_AUDIENCE = 'parley:native';
export const TOKEN_ISSUER = 'parley';
/** Verified tokens remembered (oldest dropped first); ~300 bytes each. */
export const VERIFIED_CACHE_SIZE = 10_000;

export interface AccessClaims {
  /** The user's `uid`. */
  subject: string;
  sessionId: string;
  tokenId: string;
  expiresAt: number;
}

export interface TokenService {
  issue(claims: { subject: string; sessionId: string; tokenId: string }): Promise<{ token: string; expiresAt: number }>;
  /** Verifies signature, algorithm, type and expiry; throws `unauthenticated` otherwise. */
  verify(token: string): Promise<AccessClaims>;
  /** The public keys, for `/.well-known/jwks.json`. */
  jwks(): { keys: JWK[] };
  /**
   * Generates a new Ed25519 key in the store and signs with it from now on; the older keys
   * keep verifying (and stay in the JWKS). Refused (409) when `TOKEN_SIGNING_KEY` is set.
   */
  rotate(): Promise<{ kid: string }>;
  /** Re-reads the keys from the store (another node or the admin CLI rotated). */
  reload(): Promise<void>;
}

/** Thrown by `rotate` when the key comes from configuration. */
export const configuredKeyRefusal = () =>
  new AppError(
    'conflict',
    'TOKEN_SIGNING_KEY is set, so the signing key comes from configuration: rotate by configuring a new key (tokens of the old one then stop verifying).',
    { field: 'TOKEN_SIGNING_KEY' },
  );

interface LoadedKey {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JWK;
}

function algorithmOf(key: KeyObject): 'EdDSA' | 'ES256' {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error('TOKEN_SIGNING_KEY must be an Ed25519 or P-256 (ES256) private key');
}

async function loadKey(privatePem: string): Promise<LoadedKey> {
  const privateKey = createPrivateKey(privatePem);
  const alg = algorithmOf(privateKey);
  const publicKey = createPublicKey(privateKey);
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, alg, privateKey, publicKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
}

/** A fresh Ed25519 key as the store keeps it. */
async function newKeyRecord(createdAt: number): Promise<SigningKeyRecord> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const loaded = await loadKey(pem);
  return { kid: loaded.kid, algorithm: loaded.alg, privatePem: pem, publicJwk: JSON.stringify(loaded.publicJwk), createdAt };
}

/**
 * Loads the signing keys: the configured PEM if given, else the keys kept in the store,
 * generating an Ed25519 key on first start. The newest key signs; all of them verify, so a
 * rotation leaves earlier tokens valid until they expire.
 */
export async function createTokenService(deps: {
  store: Store;
  clock: Clock;
  ttlSeconds: number;
  configuredKeyPem?: string | undefined;
}): Promise<TokenService> {
  const { clock, ttlSeconds } = deps;
  let keys: LoadedKey[];
  if (deps.configuredKeyPem) {
    keys = [await loadKey(deps.configuredKeyPem)];
  } else {
    let records = await deps.store.signingKeys.list();
    if (records.length === 0) {
      // Nodes starting at once on an empty store: the first to take the lock makes the key, the
      // others wait for its commit and then find it, so every node signs with the same key.
      const first = await newKeyRecord(clock.now());
      records = await deps.store.transaction(async (tx) => {
        await tx.signingKeys.lockForFirstKey();
        const existing = await tx.signingKeys.list();
        if (existing.length > 0) return existing;
        await tx.signingKeys.insert(first);
        return [first];
      });
    }
    keys = await Promise.all(records.map((r) => loadKey(r.privatePem)));
  }
  let signing = keys[keys.length - 1]!;
  let byKid = new Map(keys.map((k) => [k.kid, k]));
  let algorithms = [...new Set(keys.map((k) => k.alg))];
  // A signature verified once stays verified until the token expires (SPEC 6 allows this);
  // revocation is still checked on every request by the sessions service.
  const verified = new Map<string, AccessClaims>();

  // Another node may have made or rotated a key since we loaded ours: an unknown kid
  // re-reads the keys from the store, at most once per second.
  let lastRefresh = 0;
  async function keyFor(kid: string | undefined): Promise<LoadedKey | undefined> {
    if (kid === undefined) return undefined;
    const known = byKid.get(kid);
    if (known || deps.configuredKeyPem || clock.now() - lastRefresh < 1000) return known;
    lastRefresh = clock.now();
    await reload();
    return byKid.get(kid);
  }

  /** Re-reads the stored keys; the newest signs. */
  async function reload(): Promise<void> {
    if (deps.configuredKeyPem) return;
    const records = await deps.store.signingKeys.list();
    if (records.some((r) => !byKid.has(r.kid))) {
      const loaded = await Promise.all(records.map((r) => loadKey(r.privatePem)));
      signing = loaded[loaded.length - 1]!;
      byKid = new Map(loaded.map((k) => [k.kid, k]));
      algorithms = [...new Set(loaded.map((k) => k.alg))];
    }
  }

  return {
    async issue({ subject, sessionId, tokenId }) {
      const issuedAt = Math.floor(clock.now() / 1000);
      const expiresAt = issuedAt + ttlSeconds;
      const token = await new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: signing.alg, typ: ACCESS_TOKEN_TYPE, kid: signing.kid })
        .setSubject(subject)
        .setJti(tokenId)
        .setIssuer(TOKEN_ISSUER)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .sign(signing.privateKey);
      return { token, expiresAt: expiresAt * 1000 };
    },
    async verify(token) {
      const cached = verified.get(token);
      if (cached) {
        if (cached.expiresAt > clock.now()) return cached;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(
          token,
          async (header) => {
            const key = await keyFor(header.kid);
            if (!key || key.alg !== header.alg) throw new Error('unknown key');
            return key.publicKey;
          },
          {
            algorithms,
            typ: ACCESS_TOKEN_TYPE,
            issuer: TOKEN_ISSUER,
            audience: ACCESS_TOKEN_AUDIENCE,
            requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp'],
            currentDate: new Date(clock.now()),
          },
        );
        if (typeof payload.sid !== 'string' || typeof payload.sub !== 'string' || typeof payload.jti !== 'string') {
          throw new Error('malformed claims');
        }
        const claims = { subject: payload.sub, sessionId: payload.sid, tokenId: payload.jti, expiresAt: payload.exp! * 1000 };
        if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
        verified.set(token, claims);
        return claims;
      } catch {
        throw unauthenticated('The access token is invalid or expired.');
      }
    },
    jwks: () => ({ keys: [...byKid.values()].map((k) => k.publicJwk) }),
    async rotate() {
      if (deps.configuredKeyPem) throw configuredKeyRefusal();
      const newest = (await deps.store.signingKeys.list()).at(-1);
      // Keys are ordered by creation time: the new one must sort last even if clocks disagree.
      const record = await newKeyRecord(Math.max(clock.now(), (newest?.createdAt ?? 0) + 1));
      await deps.store.signingKeys.insert(record);
      await reload();
      return { kid: record.kid };
    },
    reload,
  };
}
