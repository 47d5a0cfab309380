/**
 * The V-app (SPEC 3, seed 000): sign-up, log-in and token refresh with Vonage user tokens,
 * the user directory, and images. A V-app user is the same account as everywhere else: its
 * `name` is the username, its `display_name` the display name, its `id` the Vonage user id
 * once provisioned, else `USR-<uid>`.
 *
 * With a Conversation API configured, sign-up creates the Vonage user first and the local
 * account after (validate → name free locally → Vonage → insert), so a Vonage failure
 * leaves nothing behind here. A name Vonage already has is adopted, which also heals the
 * one gap of that order: if the insert fails after Vonage created the user, the next
 * sign-up (or V-app login) of that name adopts it.
 */
import { AppError, invalid, type InvalidParameter } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Readable } from 'node:stream';
import { UniqueViolation, type MediaRecord, type Store, type UserRecord } from '../ports/store.js';
import { VonageFailure, type ConversationUsers } from '../ports/vonage.js';
import { FieldChecks, foldUsername, NAME_MAX } from './account-rules.js';
import type { AccountsService } from './accounts.service.js';
import { fileNameOf } from './media-names.js';
import type { MediaService } from './media.service.js';
import type { UsersService } from './users.service.js';
import type { VonageTokens } from './vonage-tokens.service.js';

/** `GET /users` and the sign-up/login answers list at most this many users (by id). */
export const DIRECTORY_LIMIT = 1000;

/** A user as the V-app shows them, with the URL of their newest photo. */
export interface VappUser {
  user: UserRecord;
  imageUrl: string | null;
}

/** The caller of a protected route, or why their token was refused. */
export type VappAuth = { ok: true; user: UserRecord } | { ok: false; problem: 'badtoken' | 'missinguserid' | 'unknownuser' };

export interface SignupInput {
  name?: string | undefined;
  password?: string | undefined;
  displayName?: string | undefined;
  ipAddress: string;
}

export interface LoginInput {
  name?: string | undefined;
  password?: string | undefined;
  /** The second factor, for an account with two-factor sign-in. */
  code?: string | undefined;
  ipAddress: string;
}

/** The V-app's id of a user: the Vonage id once provisioned, else `USR-<uid>`. */
export const vappIdOf = (user: Pick<UserRecord, 'uid' | 'vonageUserId'>) => user.vonageUserId ?? `USR-${user.uid}`;

const length = (text: string) => [...text].length;

/**
 * The seed's rules, reported the seed's way ("must exist", "must be longer than 2
 * characters", "must be at least 8 characters"), then Parley's own rules for what passed.
 */
function signupProblems(input: SignupInput): InvalidParameter[] {
  const checks = new FieldChecks();
  const problems: InvalidParameter[] = [];
  const required = (name: string, value: string | undefined, min: number, reason: string): value is string => {
    if (value === undefined || value.trim() === '') problems.push({ name, reason: 'must exist' });
    else if (length(value.trim()) < min) problems.push({ name, reason });
    else return true;
    return false;
  };
  if (required('name', input.name, 3, 'must be longer than 2 characters')) checks.username('name', input.name);
  if (input.password === undefined || input.password === '') problems.push({ name: 'password', reason: 'must exist' });
  else if (length(input.password) < 8) problems.push({ name: 'password', reason: 'must be at least 8 characters' });
  else checks.password('password', input.password);
  if (required('display_name', input.displayName, 3, 'must be longer than 2 characters')) {
    checks.check(length(input.displayName.trim()) <= NAME_MAX, 'display_name', `must be at most ${NAME_MAX} characters`);
  }
  try {
    checks.assert();
  } catch (error) {
    if (error instanceof AppError) problems.push(...(error.details.invalidParameters ?? []));
  }
  const order = ['name', 'password', 'display_name'];
  return problems.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

function loginProblems(input: LoginInput): InvalidParameter[] {
  const problems: InvalidParameter[] = [];
  if (!input.name) problems.push({ name: 'name', reason: 'must exist' });
  if (!input.password) problems.push({ name: 'password', reason: 'must exist' });
  return problems;
}

export type VappService = ReturnType<typeof createVappService>;

/** Builds the V-app service; `vonage` is absent when no Vonage application is configured. */
export function createVappService(deps: {
  store: Store;
  accounts: AccountsService;
  users: UsersService;
  media: MediaService;
  tokens: VonageTokens;
  /** The Conversation API, when Vonage is configured. */
  vonage?: ConversationUsers | undefined;
  clock: Clock;
  /** The base of absolute URLs, from PUBLIC_URL. */
  publicUrl: string;
}) {
  const { store, accounts, users, media, tokens, vonage, clock, publicUrl } = deps;
  const fileUrl = (record: MediaRecord) => `${publicUrl}/uploads/${fileNameOf(record)}`;

  /** Runs a Conversation API call; its failure becomes a 500 whose detail says what went wrong. */
  async function withVonage<T>(work: (api: ConversationUsers) => Promise<T>): Promise<T> {
    try {
      return await work(vonage!);
    } catch (error) {
      if (error instanceof VonageFailure) throw new AppError('internal', error.message);
      throw error;
    }
  }

  /** Creates the Vonage user, or adopts the one Vonage already has by that name. */
  const provision = (name: string, displayName: string) =>
    withVonage(async (api) => {
      const created = await api.create({ name, displayName });
      const found = created ?? (await api.findByName(name));
      if (!found) throw new VonageFailure(`The Vonage Conversation API reports the name "${name}" taken but does not list it`);
      return found.id;
    });

  /** An account made elsewhere (natively, or before Vonage was configured) is provisioned at its first V-app log-in. */
  async function ensureProvisioned(user: UserRecord): Promise<UserRecord> {
    if (!vonage || user.vonageUserId !== null) return user;
    const id = await provision(user.username, user.displayName);
    try {
      // A concurrent log-in may have stored it first; it adopted the same id, so either is fine.
      await store.users.setVonageUserId(user.id, id);
    } catch (error) {
      if (error instanceof UniqueViolation) throw new AppError('internal', 'The Vonage user of that name belongs to another account.');
      throw error;
    }
    return (await store.users.findById(user.id)) ?? user;
  }

  async function checkLogin(input: LoginInput): Promise<UserRecord> {
    const problems = loginProblems(input);
    if (problems.length > 0) throw invalid(problems);
    const user = await accounts.verifyCredentials({ username: input.name! }, input.password!, input.ipAddress, 'vapp', input.code);
    await store.users.update(user.id, { lastSeenAt: clock.now() });
    return ensureProvisioned(user);
  }

  const issueToken = (user: UserRecord) => tokens.issueUserToken({ name: user.username, userId: vappIdOf(user) });

  /** Everyone but `user`, by id, with their newest photo's URL. */
  async function directory(user: UserRecord): Promise<VappUser[]> {
    const found = await store.users.search({ query: '', limit: DIRECTORY_LIMIT + 1, offset: 0 });
    return present(found.filter((u) => u.id !== user.id).slice(0, DIRECTORY_LIMIT));
  }

  /** Each user with their image: the newer of their newest photo and an image URL set through `POST /image`. */
  async function present(list: UserRecord[]): Promise<VappUser[]> {
    const ids = list.map((u) => u.id);
    const [photos, urls] = await Promise.all([users.photosOf(ids), store.vapp.imageUrlsOf(ids)]);
    return list.map((user) => {
      const newest = photos.get(user.id)?.[0];
      const set = urls.get(user.id);
      const photoAt = newest ? (newest.attachedAt ?? newest.createdAt) : -1;
      if (set && set.setAt >= photoAt) return { user, imageUrl: set.url };
      return { user, imageUrl: newest ? fileUrl(newest) : null };
    });
  }

  /** What sign-up and log-in answer: the caller, a token, and everyone else. */
  async function session(user: UserRecord) {
    const [self] = await present([user]);
    return { self: self!, token: await issueToken(user), users: await directory(user) };
  }

  return {
    /** Sign-up: the account's checks, the Vonage user (when configured), the row, then the session answer. */
    async signup(input: SignupInput) {
      const displayName = input.displayName?.trim() ?? '';
      const fields = { username: input.name ?? '', name: displayName, password: input.password ?? '', ipAddress: input.ipAddress };
      const account = await accounts.prepareAccount(fields, { problems: signupProblems(input) });
      const vonageUserId = vonage ? await provision(account.username, displayName) : undefined;
      const user = await accounts.insertAccount(account, { vonageUserId });
      return session(user);
    },

    async login(input: LoginInput) {
      return session(await checkLogin(input));
    },

    /** A fresh token for the same credentials (the seed's `POST /token`). */
    async refreshToken(input: LoginInput): Promise<string> {
      return issueToken(await checkLogin(input));
    },

    /**
     * Verifies a token (signature, RS256, expiry, application id) and finds its user: the
     * account named by `sub` whose V-app id is `user_id`. A good token whose account is gone
     * (or was replaced by another of the same name) is `unknownuser`.
     */
    async authenticate(token: string): Promise<VappAuth> {
      const check = await tokens.verifyUserToken(token);
      if (!check.ok) return check;
      const user = await store.users.findByUsername(foldUsername(check.name));
      if (!user || user.username !== check.name || vappIdOf(user) !== check.userId || user.disabledAt !== null) return { ok: false, problem: 'unknownuser' };
      return { ok: true, user };
    },

    directory,
    present,
    ensureProvisioned,
    withVonage,

    /**
     * The JSON `POST /image {image_url}` of the original backend: the URL becomes the user's
     * image here and, when configured, at Vonage (first, so a refusal changes nothing).
     */
    async setImageUrl(user: UserRecord, imageUrl: string): Promise<string> {
      if (vonage && user.vonageUserId !== null) await withVonage((api) => api.updateImage(user.vonageUserId!, imageUrl));
      await store.vapp.setImageUrl(user.id, imageUrl, clock.now());
      return imageUrl;
    },

    /** Stores an image, tells Vonage (when configured) and makes it the user's newest photo; answers its URL. */
    async setUserImage(user: UserRecord, body: Readable): Promise<string> {
      const image = await media.upload(user.id, { body, imagesOnly: true });
      const url = fileUrl(image);
      if (vonage && user.vonageUserId !== null) {
        try {
          await withVonage((api) => api.updateImage(user.vonageUserId!, url));
        } catch (error) {
          await media.discard(user.id, image.id).catch(() => {});
          throw error;
        }
      }
      await users.addPhoto(user, image.id);
      return url;
    },

    /** Stores an image for use elsewhere (Client SDK image messages); answers its URL. */
    async storeImage(user: UserRecord, body: Readable): Promise<string> {
      const image = await media.upload(user.id, { body, imagesOnly: true });
      await media.attach(user.id, image.id, 'shared');
      return fileUrl(image);
    },
  };
}
