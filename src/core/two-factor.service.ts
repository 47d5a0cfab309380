/**
 * TOTP two-factor sign-in (RFC 6238: SHA-1, 6 digits, 30 s steps): set up, enable with a
 * first code (which hands out ten single-use recovery codes, stored hashed), check at login,
 * remove. A code is accepted one step either side of the server's clock, and only once: the
 * step of each accepted code is stored and no code of that step or an earlier one passes
 * again. Wrong codes count as failed logins of the account (the password limits).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { conflict, invalid, twoFactorRequired } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Hasher } from '../ports/hasher.js';
import type { Store, UserRecord } from '../ports/store.js';
import type { Throttle } from './throttle.service.js';

/** Steps either side of the current one that a code may come from (clock skew). */
export const TOTP_WINDOW = 1;
export const TOTP_PERIOD_SECONDS = 30;
export const RECOVERY_CODE_COUNT = 10;

const ISSUER = 'Parley';
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A recovery code as typed, compared without case, spaces or dashes. */
const normaliseRecovery = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');

/** `xxxx-xxxx-xxxx` from a 31-letter alphabet without look-alikes (about 59 bits). */
function newRecoveryCode(): string {
  const bytes = randomBytes(12);
  const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]);
  return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8)].map((g) => g.join('')).join('-');
}

export interface TwoFactorSetup {
  /** Base32, for typing into an authenticator app. */
  secret: string;
  /** `otpauth://totp/…`, for a QR code. */
  uri: string;
}

export type TwoFactorService = ReturnType<typeof createTwoFactorService>;

export function createTwoFactorService(deps: { store: Store; hasher: Hasher; throttle: Throttle; clock: Clock }) {
  const { store, hasher, throttle, clock } = deps;

  const totpOf = (user: UserRecord, secret: string) =>
    new TOTP({ issuer: ISSUER, label: user.username, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_SECONDS, secret: Secret.fromBase32(secret) });

  /** The time step a TOTP code belongs to, when it is one of the window's; undefined otherwise. */
  function stepOf(user: UserRecord, secret: string, code: string): number | undefined {
    const now = clock.now();
    const delta = totpOf(user, secret).validate({ token: code, timestamp: now, window: TOTP_WINDOW });
    return delta === null ? undefined : Math.floor(now / 1000 / TOTP_PERIOD_SECONDS) + delta;
  }

  /** True when `code` is a fresh TOTP code or an unused recovery code (then used up). */
  async function accepts(user: UserRecord, secret: string, code: string): Promise<boolean> {
    const typed = code.trim();
    if (/^\d{6}$/.test(typed)) {
      const step = stepOf(user, secret, typed);
      return step !== undefined && store.twoFactor.claimStep(user.id, step);
    }
    const wanted = normaliseRecovery(typed);
    if (wanted.length !== 12) return false;
    for (const stored of await store.twoFactor.unusedCodes(user.id)) {
      if (await hasher.verify(stored.codeHash, wanted)) return store.twoFactor.useCode(stored.id, clock.now());
    }
    return false;
  }

  /** Checks `code` under the login limits: 429 past them, a wrong code is a failed login (401). */
  async function checkCode(user: UserRecord, secret: string, code: string, ipAddress: string): Promise<boolean> {
    await throttle.guardLogin(user.username, ipAddress);
    if (await accepts(user, secret, code)) return true;
    await throttle.recordLoginFailure(user.username, ipAddress);
    return false;
  }

  const enabledRecord = async (userId: number) => {
    const record = await store.twoFactor.findByUser(userId);
    return record?.enabledAt != null ? record : undefined;
  };

  return {
    /** True when the user signs in with a second factor. */
    isEnabled: async (userId: number) => (await enabledRecord(userId)) !== undefined,

    /** A new secret, not yet in force (409 when two-factor sign-in is already on). */
    async setup(user: UserRecord): Promise<TwoFactorSetup> {
      if (await enabledRecord(user.id)) throw conflict('2fa', 'Two-factor sign-in is already on; remove it first.');
      const secret = new Secret({ size: 20 }).base32;
      await store.twoFactor.savePending({ userId: user.id, secret, enabledAt: null, lastStep: null, createdAt: clock.now() });
      return { secret, uri: totpOf(user, secret).toString() };
    },

    /** Turns two-factor sign-in on with a first code; answers the recovery codes, shown only now. */
    async enable(user: UserRecord, code: string, ipAddress: string): Promise<string[]> {
      const record = await store.twoFactor.findByUser(user.id);
      if (!record) throw conflict('2fa', 'Set two-factor sign-in up first (POST /users/me/2fa/setup).');
      if (record.enabledAt !== null) throw conflict('2fa', 'Two-factor sign-in is already on.');
      await throttle.guardLogin(user.username, ipAddress);
      const step = /^\d{6}$/.test(code.trim()) ? stepOf(user, record.secret, code.trim()) : undefined;
      if (step === undefined) {
        await throttle.recordLoginFailure(user.username, ipAddress);
        throw invalid([{ name: 'code', reason: 'is not a current code of this secret' }], 'The code is wrong.');
      }
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
      const rows = await Promise.all(codes.map(async (c) => ({ id: randomUUID(), userId: user.id, codeHash: await hasher.hash(normaliseRecovery(c)) })));
      await store.transaction((tx) => tx.twoFactor.enable(user.id, clock.now(), step, rows));
      return codes;
    },

    /**
     * The second step of every family's login, after the password matched: passes when the
     * account has no second factor or `code` is good; else 401 two-factor-required.
     */
    async verifyLogin(user: UserRecord, code: string | undefined, ipAddress: string): Promise<void> {
      const record = await enabledRecord(user.id);
      if (!record) return;
      if (code === undefined || code.trim() === '') throw twoFactorRequired();
      if (!(await checkCode(user, record.secret, code, ipAddress))) throw twoFactorRequired('The two-factor code is wrong or was already used.');
    },

    /** Turns two-factor sign-in off; the caller has checked the password. 401 for a wrong code. */
    async disable(user: UserRecord, code: string, ipAddress: string): Promise<void> {
      const record = await enabledRecord(user.id);
      if (!record) throw conflict('2fa', 'Two-factor sign-in is not on.');
      if (!(await checkCode(user, record.secret, code, ipAddress))) throw twoFactorRequired('The two-factor code is wrong or was already used.');
      await store.twoFactor.delete(user.id);
    },
  };
}
