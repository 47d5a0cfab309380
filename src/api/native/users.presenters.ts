/** The native wire shapes of users and sessions (SPEC 2, JSON objects). */
import type { Profile } from '../../ports/events.js';
import type { SessionRecord } from '../../ports/store.js';
import type { MediaInfo } from './media.presenters.js';

export const iso = (ms: number) => new Date(ms).toISOString();

/** Drops null and undefined fields ("fields may be omitted when empty"). */
export function compact<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  // A plain loop: every answer passes through here, and entries/filter/fromEntries made three arrays each time.
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = value[key];
    if (v !== null && v !== undefined) out[key] = v;
  }
  return out as { [K in keyof T]: Exclude<T[K], null> };
}

export function presentSession(session: SessionRecord, accessToken?: string) {
  return compact({
    id: session.id,
    accessToken,
    ipAddress: session.ipAddress,
    createdAt: iso(session.createdAt),
    updatedAt: iso(session.updatedAt),
    deviceInfo: compact({
      id: session.deviceId,
      name: session.deviceName,
      model: session.deviceModel,
      token: session.pushToken,
      transport: session.pushTransport,
    }),
  });
}

/**
 * Every field of `user` that `presentUser` reads: an answer made from the same values is the
 * same answer (GET /users/me remembers its own by them). Keep in step with `presentUser`.
 */
export const presentedFields = (user: Profile & { email?: string | null }): unknown[] => [
  user.id,
  user.uid,
  user.displayName,
  user.username,
  user.email,
  user.about,
  user.lastSeenAt,
];

/**
 * UserInfo. `photos` are the user's MediaInfo, newest first; `self` adds the caller-only
 * fields (email); `sessions` adds deviceSessions (with `accessToken` only for the one
 * session just opened).
 */
export function presentUser(
  user: Profile & { email?: string | null },
  options: { photos?: MediaInfo[]; self?: boolean; sessions?: SessionRecord[]; openedToken?: { sessionId: string; token: string }; isBlocked?: boolean } = {},
) {
  return compact({
    id: user.id,
    uid: user.uid,
    name: user.displayName,
    username: user.username,
    email: options.self ? user.email : undefined,
    about: user.about,
    lastSeen: user.lastSeenAt === null ? undefined : iso(user.lastSeenAt),
    photos: options.photos ?? [],
    isBot: user.isBot ? true : undefined,
    isBlocked: options.isBlocked ? true : undefined,
    deviceSessions: options.sessions?.map((s) => presentSession(s, options.openedToken?.sessionId === s.id ? options.openedToken.token : undefined)),
  });
}
