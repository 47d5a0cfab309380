/**
 * Accounts: registration, credential checks, passwords, account keys and deletion. Every
 * family's login goes through `login`/`verifyCredentials`, so the rate limits and the
 * equal-cost answer for unknown users hold everywhere.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { accountDisabled, AppError, badCredentials, conflict, forbidden, invalid, type InvalidParameter } from '../errors.js';
import type { Bus } from '../ports/bus.js';
import type { Clock } from '../ports/clock.js';
import type { Hasher } from '../ports/hasher.js';
import { noopMetrics, type Metrics } from '../ports/metrics.js';
import { UniqueViolation, type Store, type UserRecord, type UserRole } from '../ports/store.js';
import { emailFields, emailKeyOf, FieldChecks, foldUsername } from './account-rules.js';
import { blobKeysOf } from './media-names.js';
import type { MediaService } from './media.service.js';
import type { DeviceInput, OpenedSession, SessionsService } from './sessions.service.js';
import type { Throttle } from './throttle.service.js';
import type { TwoFactorService } from './two-factor.service.js';

export interface Registration {
  name: string;
  username: string;
  password: string;
  email?: string | undefined;
  about?: string | undefined;
  device?: DeviceInput | undefined;
  ipAddress: string;
}

/** A new account's fields, as any family collects them. */
export type NewAccount = Omit<Registration, 'device'>;

/** How `prepareAccount` checks a new account. */
export interface AccountChecks {
  /** Not counted against the sign-up limit (an admin creating accounts). */
  unthrottled?: boolean;
  /** A family's own field problems, reported (400) after the sign-up is counted and before the common rules. */
  problems?: InvalidParameter[];
}

/** A new account whose fields are valid and whose username was free: what `insertAccount` stores. */
export interface PreparedAccount {
  /** Folded, as stored. */
  username: string;
  displayName: string;
  /** Normalised; with its case-folded key and its confusable skeleton (account-rules.ts). */
  email: string | null;
  emailKey: string | null;
  emailSkeleton: string | null;
  about: string | null;
  passwordHash: string;
}

/** What `insertAccount` stores beside the prepared fields. */
export interface AccountExtras {
  /** The new account's role (default `user`). */
  role?: UserRole | undefined;
  /** The Vonage user the V-app created for it. */
  vonageUserId?: string | undefined;
  /** A bot (made by an admin, API keys only). */
  isBot?: boolean | undefined;
}

/** Which API family a login came through, for the failed-login count. */
export type LoginFamily = 'native' | 'vapp' | 'rooms';

/** Who is logging in: by username or by email (seed 004 logs in with email). */
export type LoginIdentifier = { username: string } | { email: string };

export interface LoginResult {
  user: UserRecord;
  opened: OpenedSession;
}

export type AccountsService = Awaited<ReturnType<typeof createAccountsService>>;

export async function createAccountsService(deps: {
  store: Store;
  bus: Bus;
  hasher: Hasher;
  sessions: SessionsService;
  media: MediaService;
  throttle: Throttle;
  /** The second factor every login of an account that has it must also pass. */
  twoFactor: TwoFactorService;
  clock: Clock;
  /** Failed logins are counted here, by family. */
  metrics?: Metrics;
}) {
  const { store, bus, hasher, sessions, media, throttle, twoFactor, clock } = deps;
  const metrics = deps.metrics ?? noopMetrics;
  // Verified against when the user is unknown, so both answers cost one argon2 verify.
  const dummyHash = await hasher.hash(randomBytes(32).toString('base64url'));

  const identifierText = (id: LoginIdentifier) => ('username' in id ? id.username : id.email);

  async function findByIdentifier(id: LoginIdentifier): Promise<UserRecord | undefined> {
    if ('username' in id) return store.users.findByUsername(foldUsername(id.username));
    // The address as typed first: an account stored before normalisation (0010) whose key
    // another account's normalised key would shadow keeps its exact spelling.
    const typed = id.email.trim().toLowerCase();
    const key = emailKeyOf(id.email);
    return ((typed !== key && (await store.users.findByEmail(typed))) || undefined) ?? store.users.findByEmail(key);
  }

  /**
   * Checks a password for `id` under the login limits, then the account's second factor
   * (`code`, when it has two-factor sign-in); throws 401 or 429.
   */
  async function verifyCredentials(
    id: LoginIdentifier,
    password: string,
    ipAddress: string,
    family: LoginFamily = 'native',
    code?: string | undefined,
  ): Promise<UserRecord> {
    const user = await findByIdentifier(id);
    // A known account is counted under its username however it was named (username or
    // email), so alternating the two buys no extra attempts; an unknown name under itself.
    const key = user?.username ?? identifierText(id);
    await throttle.guardLogin(key, ipAddress);
    const matches = await hasher.verify(user?.passwordHash ?? dummyHash, password);
    // A bot has no password to log in with: only its API keys.
    if (!user || !matches || user.isBot) {
      metrics.loginFailed(family);
      await throttle.recordLoginFailure(key, ipAddress);
      throw badCredentials();
    }
    // Before the success is recorded: a known password must not reset the count of wrong codes.
    await twoFactor.verifyLogin(user, code, ipAddress).catch((error) => {
      metrics.loginFailed(family);
      throw error;
    });
    await throttle.recordLoginSuccess(key);
    // Only told to whoever knows the password: a wrong one still gets the usual 401.
    if (user.disabledAt !== null) throw accountDisabled();
    return user;
  }

  /** Checks the password of an already authenticated user (change password, account key). */
  async function confirmPassword(user: UserRecord, password: string, ipAddress: string): Promise<void> {
    await throttle.guardLogin(user.username, ipAddress);
    // The caller's record may come from the session cache: check against the stored hash.
    const stored = await store.users.findById(user.id);
    if (!stored || !(await hasher.verify(stored.passwordHash, password))) {
      metrics.loginFailed('native');
      await throttle.recordLoginFailure(user.username, ipAddress);
      throw new AppError('bad_credentials', 'The password is wrong.');
    }
  }

  const usernameTaken = () => conflict('username', 'That username is taken.');

  /**
   * The checks before an account exists: counts the sign-up (429 past the limit), checks the
   * fields (400), refuses a taken username (409) before anything else is done for it, and
   * hashes the password.
   */
  async function prepareAccount(input: NewAccount, checks: AccountChecks = {}): Promise<PreparedAccount> {
    if (!checks.unthrottled) await throttle.countSignup(input.ipAddress);
    if (checks.problems && checks.problems.length > 0) throw invalid(checks.problems);
    new FieldChecks()
      .username('username', input.username)
      .password('password', input.password)
      .displayName('name', input.name)
      .email('email', input.email)
      .assert();
    const username = foldUsername(input.username);
    if (await store.users.findByUsername(username)) throw usernameTaken();
    return {
      username,
      displayName: input.name.trim(),
      ...emailFields(input.email),
      about: input.about ?? null,
      passwordHash: await hasher.hash(input.password),
    };
  }

  /** Stores a prepared account. A username or email taken meanwhile still ends in 409, by the unique indexes. */
  async function insertAccount(account: PreparedAccount, extras: AccountExtras = {}): Promise<UserRecord> {
    const { username } = account;
    const now = clock.now();
    try {
      return await store.users.insert({
        uid: randomUUID(),
        ...account,
        createdAt: now,
        updatedAt: now,
        vonageUserId: extras.vonageUserId ?? null,
        role: extras.role ?? 'user',
        ...(extras.isBot ? { isBot: true } : {}),
      });
    } catch (error) {
      if (error instanceof UniqueViolation) {
        if (error.field === 'email') throw conflict('email', 'That email address is already registered.');
        // Two sign-ups of one name racing adopt one Vonage id: the loser is a taken name.
        if (error.field === 'vonage_user_id' && !(await store.users.findByUsername(username))) {
          throw new AppError('internal', 'The Vonage user of that name belongs to another account.');
        }
        throw usernameTaken();
      }
      throw error;
    }
  }

  /** Creates an account: `prepareAccount`, then `insertAccount`. */
  async function createAccount(input: NewAccount, options: AccountChecks & AccountExtras = {}): Promise<UserRecord> {
    return insertAccount(await prepareAccount(input, options), options);
  }

  return {
    verifyCredentials,
    prepareAccount,
    insertAccount,
    createAccount,

    async register(input: Registration): Promise<LoginResult> {
      const user = await createAccount(input);
      const opened = await sessions.open(user, input.device, input.ipAddress);
      const now = user.createdAt;
      await store.users.update(user.id, { lastSeenAt: now });
      return { user: { ...user, lastSeenAt: now }, opened };
    },

    async login(
      id: LoginIdentifier,
      password: string,
      device: DeviceInput | undefined,
      ipAddress: string,
      family: LoginFamily = 'native',
      code?: string | undefined,
    ): Promise<LoginResult> {
      const user = await verifyCredentials(id, password, ipAddress, family, code);
      const opened = await sessions.open(user, device, ipAddress);
      const now = clock.now();
      await store.users.update(user.id, { lastSeenAt: now });
      return { user: { ...user, lastSeenAt: now }, opened };
    },

    /** Changes the password; every other session of the user is revoked. */
    async changePassword(user: UserRecord, currentSessionId: string, oldPassword: string, newPassword: string, ipAddress: string) {
      new FieldChecks().password('newPassword', newPassword).assert();
      await confirmPassword(user, oldPassword, ipAddress);
      await store.users.update(user.id, { passwordHash: await hasher.hash(newPassword), updatedAt: clock.now() });
      await sessions.revokeAll(user.id, currentSessionId);
    },

    /** Turns two-factor sign-in off: needs the password and a code (or a recovery code). */
    async disableTwoFactor(user: UserRecord, password: string, code: string, ipAddress: string) {
      await confirmPassword(user, password, ipAddress);
      await twoFactor.disable(user, code, ipAddress);
    },

    /** Stores a hash of the recovery key that `resetPassword` accepts. */
    async setAccountKey(user: UserRecord, password: string, accountKey: string, ipAddress: string) {
      new FieldChecks().password('accountKey', accountKey).assert();
      await confirmPassword(user, password, ipAddress);
      await store.users.update(user.id, { accountKeyHash: await hasher.hash(accountKey), updatedAt: clock.now() });
    },

    /**
     * Sets a new password given the account key; all sessions are revoked. An unknown user,
     * a user without a key and a wrong key give one and the same 403, at the same cost.
     */
    async resetPassword(userId: number, accountKey: string, newPassword: string, ipAddress: string) {
      await throttle.countReset(ipAddress);
      new FieldChecks().password('newPassword', newPassword).assert();
      // The account key is a credential: wrong guesses are failed logins of the account (`#<id>`,
      // which no username can be), so guessing from many addresses meets the per-account limit.
      // Unknown ids are counted alike, so the limit reveals nothing.
      const throttleKey = `#${userId}`;
      await throttle.guardLogin(throttleKey, ipAddress);
      const user = await store.users.findById(userId);
      const keyHash = user?.accountKeyHash ?? null;
      const matches = await hasher.verify(keyHash ?? dummyHash, accountKey);
      if (!user || keyHash === null || !matches) {
        await throttle.recordLoginFailure(throttleKey, ipAddress);
        throw forbidden('The user id or account key is wrong.');
      }
      await throttle.recordLoginSuccess(throttleKey);
      await store.users.update(user.id, { passwordHash: await hasher.hash(newPassword), updatedAt: clock.now() });
      await sessions.revokeAll(user.id);
    },

    /** Deletes the account after checking its credentials; everything it owns goes with it. */
    async deleteAccount(id: LoginIdentifier, password: string, ipAddress: string, code?: string | undefined): Promise<void> {
      await removeAccount(await verifyCredentials(id, password, ipAddress, 'native', code));
    },

    removeAccount,
  };

  /**
   * Deletes the account and everything it owns (self-deletion, and an admin's `DELETE
   * /admin/users/{user}`): sessions end at once, uploads and owned chats go with it.
   */
  async function removeAccount(user: UserRecord): Promise<void> {
    const sessionIds = (await store.sessions.listByUser(user.id)).map((s) => s.id);
    // The upload rows go with the user, so their files are listed first and deleted after;
    // so do other users' images and attachments in the chats this user owns.
    const inOwnedChats = await store.media.linkedToChats(await store.chats.listOwnedIds(user.id), { images: true });
    // The data export's file too (its row goes by cascade).
    const exportKey = (await store.exports.find(user.id))?.blobKey;
    const fileKeys = [...(await media.fileKeysOf(user.id)), ...inOwnedChats.flatMap(blobKeysOf), ...(exportKey ? [exportKey] : [])];
    // Sessions and every other owned row go by ON DELETE CASCADE in the same transaction.
    await store.transaction(async (tx) => {
      await tx.media.deleteMany(inOwnedChats.map((m) => m.id));
      await tx.users.delete(user.id);
    });
    await media.deleteFiles(fileKeys);
    await sessions.announceRevoked(user.id, sessionIds);
    await bus.publish('user.deleted', { userId: user.id });
  }
}
