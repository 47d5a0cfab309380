/**
 * V-app user tokens: Vonage Conversation-API user JWTs (seed 003, SPEC 3). RS256, header
 * `{alg: "RS256", typ: "JWT"}`, claims `application_id`, `sub` (the user name), `user_id`,
 * `acl`, `jti`, `iat` and `exp = iat + 3600`.
 *
 * They are signed with `VONAGE_PRIVATE_KEY` for `VONAGE_APPLICATION_ID` when configured, so
 * they also log in to Vonage's Client SDK; else with an RSA key and an application id the
 * server makes once and keeps in the database (`settings`), so every node shares them.
 *
 * Verification pins RS256, the type and our application id and requires `exp`: a native
 * access token (EdDSA, `at+jwt`) never passes here, and a V-app token never passes as an
 * access token (RFC 8725 3.12).
 */
import { createPrivateKey, createPublicKey, generateKeyPair, randomUUID, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

export const USER_TOKEN_TTL_SECONDS = 3600;
/** Where the generated application id and key are kept (one JSON value, so they stay a pair). */
export const GENERATED_KEY_SETTING = 'vapp.signing';

/** What a user token lets its holder do in the Conversation API (SPEC 3). */
export const USER_ACL = Object.freeze({
  paths: {
    '/*/rtc/**': {},
    '/*/users/**': {},
    '/*/conversations/**': {},
    '/*/sessions/**': {},
    '/*/devices/**': {},
    '/*/image/**': {},
    '/*/media/**': {},
    '/*/applications/**': {},
    '/*/push/**': {},
    '/*/knocking/**': {},
    '/*/legs/**': {},
  },
});

/** A verified token's claims, or why it was refused. */
export type UserTokenCheck = { ok: true; name: string; userId: string; expiresAt: number } | { ok: false; problem: 'badtoken' | 'missinguserid' };

export interface VonageTokens {
  /** The application id tokens are issued for. */
  applicationId(): Promise<string>;
  /** The public half of the signing key, as PEM (for the CLI and other verifiers). */
  publicKeyPem(): Promise<string>;
  issueUserToken(user: { name: string; userId: string }): Promise<string>;
  verifyUserToken(token: string): Promise<UserTokenCheck>;
}

interface Material {
  applicationId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const generateRsa = promisify(generateKeyPair);

function rsaKey(pem: string, what: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`${what} must be an RSA private key (Vonage tokens are RS256)`);
  return key;
}

/**
 * The application id and key made once: the first node to store them wins a race of nodes
 * starting together, and every node then reads the winner's pair.
 */
async function loadGenerated(store: Store): Promise<Material> {
  let stored = await store.settings.get(GENERATED_KEY_SETTING);
  if (stored === undefined) {
    const { privateKey } = await generateRsa('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await store.settings.insertIfAbsent(GENERATED_KEY_SETTING, JSON.stringify({ applicationId: randomUUID(), privatePem: pem }));
    stored = await store.settings.get(GENERATED_KEY_SETTING);
    if (stored === undefined) throw new Error('the generated V-app signing key was not kept');
  }
  const { applicationId, privatePem } = JSON.parse(stored) as { applicationId: string; privatePem: string };
  const privateKey = rsaKey(privatePem, 'the generated V-app key');
  return { applicationId, privateKey, publicKey: createPublicKey(privateKey) };
}

/**
 * A configured key is checked at once (a wrong one fails the start); a generated one is
 * loaded, or made, on first use, so that apps that never serve the V-app pay nothing.
 */
export function createVonageTokens(deps: { store: Store; clock: Clock; applicationId?: string | undefined; privateKeyPem?: string | undefined }): VonageTokens {
  const { store, clock } = deps;
  let material: Promise<Material> | undefined;
  if (deps.applicationId !== undefined && deps.privateKeyPem !== undefined) {
    const privateKey = rsaKey(deps.privateKeyPem, 'VONAGE_PRIVATE_KEY');
    material = Promise.resolve({ applicationId: deps.applicationId, privateKey, publicKey: createPublicKey(privateKey) });
  }
  const load = () => {
    material ??= loadGenerated(store).catch((error: unknown) => {
      material = undefined; // a failed first read (store down) is tried again next time
      throw error;
    });
    return material;
  };

  return {
    applicationId: async () => (await load()).applicationId,
    publicKeyPem: async () => (await load()).publicKey.export({ type: 'spki', format: 'pem' }).toString(),

    async issueUserToken({ name, userId }) {
      const { applicationId, privateKey } = await load();
      const issuedAt = Math.floor(clock.now() / 1000);
      return new SignJWT({ application_id: applicationId, sub: name, user_id: userId, acl: USER_ACL })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
        .setJti(randomUUID())
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + USER_TOKEN_TTL_SECONDS)
        .sign(privateKey);
    },

    async verifyUserToken(token) {
      const { applicationId, publicKey } = await load();
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, publicKey, {
          algorithms: ['RS256'],
          typ: 'JWT',
          requiredClaims: ['sub', 'iat', 'exp'],
          currentDate: new Date(clock.now()),
        }));
      } catch {
        return { ok: false, problem: 'badtoken' };
      }
      if (payload.application_id !== applicationId || typeof payload.sub !== 'string' || payload.sub === '') {
        return { ok: false, problem: 'badtoken' };
      }
      if (typeof payload.user_id !== 'string' || payload.user_id === '') return { ok: false, problem: 'missinguserid' };
      return { ok: true, name: payload.sub, userId: payload.user_id, expiresAt: Number(payload.exp) * 1000 };
    },
  };
}
