/**
 * Store records of TOTP two-factor sign-in: a user's secret and their single-use recovery
 * codes (hashed). Part of the Store port (`store.ts` gathers them). Times are epoch ms.
 */

export interface TwoFactorRecord {
  userId: number;
  /** Base32, as the authenticator app was given it. */
  secret: string;
  /** Null while set up but not yet confirmed with a code. */
  enabledAt: number | null;
  /** The time step of the last accepted code (no code is accepted twice). */
  lastStep: number | null;
  createdAt: number;
}

export interface RecoveryCodeRecord {
  id: string;
  userId: number;
  codeHash: string;
}

export interface TwoFactorRepository {
  findByUser(userId: number): Promise<TwoFactorRecord | undefined>;
  /** Stores a new, not yet enabled secret, replacing one that was never enabled. */
  savePending(record: TwoFactorRecord): Promise<void>;
  /** Enables the secret and stores the recovery codes, replacing any earlier ones. */
  enable(userId: number, enabledAt: number, step: number, codes: RecoveryCodeRecord[]): Promise<void>;
  /** Records `step` as used; false when it (or a later one) already was (a replayed code). */
  claimStep(userId: number, step: number): Promise<boolean>;
  /** The recovery codes not yet used. */
  unusedCodes(userId: number): Promise<RecoveryCodeRecord[]>;
  /** Marks a recovery code used; false when it already was (two logins raced with it). */
  useCode(id: string, usedAt: number): Promise<boolean>;
  /** Removes the secret and every recovery code. */
  delete(userId: number): Promise<void>;
}
