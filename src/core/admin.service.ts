/**
 * Administration: what the `parley` CLI and the `/admin` routes do, in one place so that the
 * two never disagree. Accounts are named by id or username; every change that must reach
 * running nodes (revoked sessions, a changed role, a new signing key) goes through the bus.
 * Every change is recorded in the audit log, with the admin who made it (none: the CLI).
 */
import { conflict, forbidden, notFound } from '../errors.js';
import type { Bus } from '../ports/bus.js';
import type { Clock } from '../ports/clock.js';
import type { Hasher } from '../ports/hasher.js';
import type { SessionRecord, Store, UserRecord, UserRole } from '../ports/store.js';
import { FieldChecks, foldUsername } from './account-rules.js';
import type { AccountsService } from './accounts.service.js';
import type { AuditService } from './audit.service.js';
import type { SessionsService } from './sessions.service.js';
import type { TokenService } from './tokens.service.js';

/** An account an admin creates. */
export interface AdminNewUser {
  username: string;
  name: string;
  password: string;
  email?: string | undefined;
  role?: UserRole | undefined;
}

/** Who asks, when it is a user (HTTP); the CLI acts as the machine's operator. */
export type Actor = UserRecord | undefined;

export type AdminService = ReturnType<typeof createAdminService>;

/** The most accounts one page of `listUsers` holds. */
export const USERS_PAGE_MAX = 200;

/** Builds the admin service over the accounts, sessions and token services it drives. */
export function createAdminService(deps: {
  store: Store;
  bus: Bus;
  hasher: Hasher;
  accounts: AccountsService;
  sessions: SessionsService;
  tokens: TokenService;
  audit: AuditService;
  clock: Clock;
}) {
  const { store, bus, hasher, accounts, sessions, tokens, audit, clock } = deps;

  const record = (actor: Actor, action: string, targetType: string, targetId: string | number, details?: Record<string, unknown>) =>
    audit.record({ actorId: actor?.id, action, targetType, targetId, details });

  /** The account named by `ref`: digits are an id, anything else a username. 404 otherwise. */
  async function findUser(ref: string | number): Promise<UserRecord> {
    const text = String(ref).trim();
    const user = /^\d{1,15}$/.test(text) ? await store.users.findById(Number(text)) : await store.users.findByUsername(foldUsername(text));
    if (!user) throw notFound('User');
    return user;
  }

  /** Refuses an admin locking themself out over HTTP (the CLI can always undo). */
  function notSelf(actor: Actor, user: UserRecord, what: string) {
    if (actor?.id === user.id) throw conflict('user', `You cannot ${what} your own account.`);
  }

  async function patch(user: UserRecord, change: Partial<Pick<UserRecord, 'role' | 'disabledAt' | 'passwordHash'>>): Promise<UserRecord> {
    const updatedAt = clock.now();
    await store.users.update(user.id, { ...change, updatedAt });
    // Nodes caching the user (with its role) forget it.
    await bus.publish('user.updated', { userId: user.id });
    return { ...user, ...change, updatedAt };
  }

  return {
    findUser,

    /** The admin routes' rule: only an admin may use them (403 for anyone else). */
    assertAdmin(user: UserRecord): void {
      if (user.role !== 'admin') throw forbidden('Only administrators may do that.');
    },

    /** Creates an account (not counted against the sign-up limit); 400 or 409 as sign-up would. */
    async createUser(input: AdminNewUser, actor?: Actor): Promise<UserRecord> {
      const user = await accounts.createAccount({ ...input, ipAddress: 'admin' }, { unthrottled: true, role: input.role ?? 'user' });
      await record(actor, 'user.create', 'user', user.id, { username: user.username, role: user.role });
      return user;
    },

    /** Disables the account: it cannot log in, and every session stops at once (sockets close). */
    async disableUser(ref: string | number, actor?: Actor): Promise<UserRecord> {
      const user = await findUser(ref);
      notSelf(actor, user, 'disable');
      const disabled = user.disabledAt === null ? await patch(user, { disabledAt: clock.now() }) : user;
      await sessions.revokeAll(user.id);
      await record(actor, 'user.disable', 'user', user.id, { username: user.username });
      return disabled;
    },

    /** Lets a disabled account log in again. */
    async enableUser(ref: string | number, actor?: Actor): Promise<UserRecord> {
      const user = await findUser(ref);
      const enabled = user.disabledAt === null ? user : await patch(user, { disabledAt: null });
      await record(actor, 'user.enable', 'user', user.id, { username: user.username });
      return enabled;
    },

    /** Sets a new password (400 when it breaks the rules); every session is revoked. */
    async resetPassword(ref: string | number, password: string, actor?: Actor): Promise<UserRecord> {
      new FieldChecks().password('password', password).assert();
      const user = await findUser(ref);
      const updated = await patch(user, { passwordHash: await hasher.hash(password) });
      await sessions.revokeAll(user.id);
      // Never the password itself.
      await record(actor, 'user.password-reset', 'user', user.id, { username: user.username });
      return updated;
    },

    /** Makes the account an admin or a plain user. */
    async setRole(ref: string | number, role: UserRole, actor?: Actor): Promise<UserRecord> {
      const user = await findUser(ref);
      if (role !== 'admin') notSelf(actor, user, 'demote');
      const updated = user.role === role ? user : await patch(user, { role });
      await record(actor, 'user.role', 'user', user.id, { username: user.username, from: user.role, to: role });
      return updated;
    },

    /** The account's device sessions, oldest first. */
    async listSessions(ref: string | number): Promise<{ user: UserRecord; sessions: SessionRecord[] }> {
      const user = await findUser(ref);
      return { user, sessions: await sessions.list(user.id) };
    },

    /** Ends one session at once, as its logout would; 404 when there is none of that id. */
    async revokeSession(sessionId: string, actor?: Actor): Promise<SessionRecord> {
      const session = await store.sessions.findById(sessionId);
      if (!session) throw notFound('Session');
      await sessions.logout(session);
      await record(actor, 'session.revoke', 'session', session.id, { userId: session.userId });
      return session;
    },

    /** Ends every session of the account; answers how many there were. */
    async revokeAllSessions(ref: string | number, actor?: Actor): Promise<number> {
      const user = await findUser(ref);
      const count = (await sessions.list(user.id)).length;
      await sessions.revokeAll(user.id);
      await record(actor, 'user.sessions-revoke', 'user', user.id, { username: user.username, revoked: count });
      return count;
    },

    /**
     * Accounts newest first, with `query` those whose name, username or email contains it; each
     * with its number of sessions. `nextCursor` continues the list (absent on the last page).
     */
    async listUsers(page: { query?: string | undefined; cursor?: number | undefined; limit?: number | undefined }) {
      const limit = Math.min(page.limit ?? 50, USERS_PAGE_MAX);
      const found = await store.users.newest({ before: page.cursor, limit: limit + 1, query: page.query?.trim() });
      const shown = found.slice(0, limit);
      const counts = await store.sessions.countByUsers(shown.map((u) => u.id));
      const users = shown.map((user) => ({ user, sessions: counts.get(user.id) ?? 0 }));
      return found.length > limit ? { users, nextCursor: shown.at(-1)!.id } : { users };
    },

    /** Deletes the account as its own deletion would (everything it owns goes); an admin not themself over HTTP (409). */
    async deleteUser(ref: string | number, actor?: Actor): Promise<UserRecord> {
      const user = await findUser(ref);
      notSelf(actor, user, 'delete');
      await accounts.removeAccount(user);
      await record(actor, 'user.delete', 'user', user.id, { username: user.username });
      return user;
    },

    /** A new signing key signs from now on, on every node; older tokens verify until they expire. */
    async rotateSigningKey(actor?: Actor): Promise<{ kid: string }> {
      const rotated = await tokens.rotate();
      await bus.publish('signing-keys.rotated', rotated);
      await record(actor, 'signing-key.rotate', 'signing-key', rotated.kid);
      return rotated;
    },
  };
}
