/**
 * Device sessions: each login opens (or, for a known device id, renews) a session row that
 * honours exactly one access token, its `jti`. Checking that row on every request is what
 * makes logout, re-login on the same device, password changes and account deletion take
 * effect on the very next request; `sessions.revoked` tells the sockets.
 */
import { randomUUID } from 'node:crypto';
import { unauthenticated } from '../errors.js';
import type { Bus } from '../ports/bus.js';
import type { Clock } from '../ports/clock.js';
import { UniqueViolation, type DeviceFields, type SessionRecord, type Store, type UserRecord } from '../ports/store.js';
import { checkPushToken } from './push-tokens.js';
import type { TokenService } from './tokens.service.js';

/** DeviceInfo as a client sends it; every field optional, null and empty strings mean "not given". */
export interface DeviceInput {
  id?: string | null | undefined;
  name?: string | null | undefined;
  model?: string | null | undefined;
  token?: string | null | undefined;
  transport?: string | null | undefined;
}

export interface OpenedSession {
  session: SessionRecord;
  accessToken: string;
  expiresAt: number;
}

export interface Authenticated {
  user: UserRecord;
  session: SessionRecord;
}

/** lastSeen is written at most this often per user, so reads don't turn into writes. */
const LAST_SEEN_RESOLUTION_MS = 60_000;

const orNull = (value: string | null | undefined) => (value === undefined || value === null || value === '' ? null : value);

function deviceFields(device: DeviceInput | undefined): DeviceFields {
  return {
    deviceId: orNull(device?.id),
    deviceName: orNull(device?.name),
    deviceModel: orNull(device?.model),
    pushToken: orNull(device?.token),
    pushTransport: orNull(device?.transport),
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;

/** Sessions remembered by the single-node cache (oldest dropped first). */
export const SESSION_CACHE_SIZE = 50_000;

export function createSessionsService(deps: { store: Store; bus: Bus; tokens: TokenService; clock: Clock }) {
  const { store, bus, tokens, clock } = deps;

  /**
   * On one node (an in-process bus) each request's session and user come from memory: every
   * revocation and profile change goes through the bus, whose handlers have run before the
   * revoking request answers, so a revoked token still fails on the very next request. On a
   * cluster bus another node could hear of a revocation a moment late, so there every request
   * reads the store instead.
   */
  const cache = bus.scope === 'process' ? new Map<string, Authenticated>() : undefined;
  if (cache) {
    const forget = (userId: number) => {
      for (const [id, entry] of cache) if (entry.user.id === userId) cache.delete(id);
    };
    bus.subscribe('sessions.revoked', ({ sessionIds }) => {
      for (const id of sessionIds) cache.delete(id);
    });
    bus.subscribe('user.updated', ({ userId }) => forget(userId));
    bus.subscribe('user.deleted', ({ userId }) => forget(userId));
    // The admin CLI writes to the same SQLite file from another process, past the bus.
    store.onOtherWriters?.(() => cache.clear());
  }

  /** Writes lastSeen at most once a minute per user (reads don't turn into writes). */
  async function touch(entry: Authenticated): Promise<Authenticated> {
    const now = clock.now();
    const { user } = entry;
    if (user.lastSeenAt === null || now - user.lastSeenAt > LAST_SEEN_RESOLUTION_MS) {
      user.lastSeenAt = now;
      await store.users.update(user.id, { lastSeenAt: now });
    }
    return entry;
  }

  async function revoke(userId: number, sessionIds: string[]) {
    if (sessionIds.length > 0) await bus.publish('sessions.revoked', { userId, sessionIds });
  }

  async function issueFor(user: UserRecord, session: SessionRecord): Promise<OpenedSession> {
    const { token, expiresAt } = await tokens.issue({ subject: user.uid, sessionId: session.id, tokenId: session.tokenId });
    return { session, accessToken: token, expiresAt };
  }

  return {
    /**
     * Opens a session for `user` on `device`. A device id this user has logged in with
     * before renews that session: same id, new token, the previous token stops working.
     */
    async open(user: UserRecord, device: DeviceInput | undefined, ipAddress: string | null): Promise<OpenedSession> {
      const fields = deviceFields(device);
      checkPushToken(fields.pushTransport, fields.pushToken, 'deviceInfo.token');
      const now = clock.now();
      for (let attempt = 0; ; attempt++) {
        const existing = fields.deviceId === null ? undefined : await store.sessions.findByDevice(user.id, fields.deviceId);
        if (existing) {
          const renewed: SessionRecord = { ...existing, ...fields, tokenId: randomUUID(), ipAddress, updatedAt: now };
          await store.sessions.update(existing.id, renewed);
          await revoke(user.id, [existing.id]);
          return issueFor(user, renewed);
        }
        const session: SessionRecord = { id: randomUUID(), userId: user.id, tokenId: randomUUID(), ...fields, ipAddress, createdAt: now, updatedAt: now };
        try {
          await store.sessions.insert(session);
          return issueFor(user, session);
        } catch (error) {
          // Two logins from the same new device raced; the loser renews the winner's row.
          if (!(error instanceof UniqueViolation) || attempt > 0) throw error;
        }
      }
    },

    /** Resolves the user and session behind an access token, or throws 401. */
    async authenticate(token: string): Promise<Authenticated> {
      const claims = await tokens.verify(token);
      const cached = cache?.get(claims.sessionId);
      if (cached && cached.session.tokenId === claims.tokenId && cached.user.uid === claims.subject) return touch(cached);
      const session = await store.sessions.findById(claims.sessionId);
      if (!session || session.tokenId !== claims.tokenId) throw unauthenticated('The access token has been revoked.');
      const user = await store.users.findById(session.userId);
      // Disabling revokes the sessions; this also covers a login that raced the disabling.
      if (!user || user.uid !== claims.subject || user.disabledAt !== null) throw unauthenticated('The access token has been revoked.');
      const entry = { user, session };
      if (cache) {
        if (cache.size >= SESSION_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(session.id, entry);
      }
      return touch(entry);
    },
    list: (userId: number) => store.sessions.listByUser(userId),

    async logout(session: SessionRecord): Promise<void> {
      await store.sessions.delete(session.id);
      await revoke(session.userId, [session.id]);
    },

    /** Revokes every session of `userId`, except `keepSessionId` when given. */
    async revokeAll(userId: number, keepSessionId?: string): Promise<void> {
      await revoke(userId, await store.sessions.deleteByUser(userId, keepSessionId));
    },

    /** Renames the device or sets its push token and transport (`PUT /users/me/device`). */
    async updateDevice(session: SessionRecord, patch: { deviceName?: string | undefined; deviceToken?: string | undefined; transport?: string | undefined }) {
      const update: Partial<SessionRecord> = { updatedAt: clock.now() };
      if (patch.deviceName !== undefined) update.deviceName = orNull(patch.deviceName);
      if (patch.deviceToken !== undefined) update.pushToken = orNull(patch.deviceToken);
      if (patch.transport !== undefined) update.pushTransport = orNull(patch.transport);
      // The stored session may have changed since the request's cached copy: check against the row.
      const current = (await store.sessions.findById(session.id)) ?? session;
      const transport = update.pushTransport !== undefined ? update.pushTransport : current.pushTransport;
      const token = update.pushToken !== undefined ? update.pushToken : current.pushToken;
      if (patch.deviceToken !== undefined || patch.transport !== undefined)
        checkPushToken(transport, token, patch.deviceToken !== undefined ? 'deviceToken' : 'transport');
      await store.sessions.update(session.id, update);
      cache?.delete(session.id);
    },

    /** Publishes revocation of sessions already deleted by the store (account deletion). */
    announceRevoked: revoke,
  };
}
