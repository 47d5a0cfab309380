/**
 * Bots and their API keys (issue 22). A bot is a user made by an admin that never logs in
 * with a password; each key it is given acts in a device session of its own, within the
 * key's scopes. A key is `pk_<id>_<secret>`: the id finds the row, the 256-bit secret is
 * compared by its SHA-256 hash (in constant time); the key itself is shown once. Revoking a
 * key deletes its session, so its next request is a 401 and its sockets close at once.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { invalid, notFound, unauthenticated } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { ApiKeyRecord, Store, UserRecord } from '../ports/store.js';
import type { AccountsService } from './accounts.service.js';
import type { Authenticated, SessionsService } from './sessions.service.js';

/** What a key may be granted: `<area>:read` lets it GET there, `<area>:write` change things. */
export const API_KEY_SCOPES = [
  'users:read',
  'chats:read',
  'chats:write',
  'messages:read',
  'messages:write',
  'contacts:read',
  'contacts:write',
  'files:read',
  'files:write',
  'search:read',
  'events:read',
] as const;

const KEY = /^pk_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** An authenticated API key: the bot, the key's session, and the key's scopes. */
export interface KeyAuthenticated extends Authenticated {
  scopes: readonly string[];
  keyId: string;
}

export interface IssuedKey {
  record: ApiKeyRecord;
  /** The key itself; shown only now. */
  key: string;
}

export type BotsService = ReturnType<typeof createBotsService>;

export function createBotsService(deps: { store: Store; accounts: AccountsService; sessions: SessionsService; clock: Clock }) {
  const { store, accounts, sessions, clock } = deps;

  async function findBot(id: number): Promise<UserRecord> {
    const user = await store.users.findById(id);
    if (!user?.isBot) throw notFound('Bot');
    return user;
  }

  const newId = () => {
    const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
    return [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join('');
  };

  return {
    /** Creates a bot user; its password is random and unknown (a bot cannot log in with one anyway). */
    async createBot(input: { username: string; name: string }): Promise<UserRecord> {
      return accounts.createAccount(
        { username: input.username, name: input.name, password: randomBytes(24).toString('base64url'), ipAddress: 'admin' },
        { unthrottled: true, isBot: true },
      );
    },

    findBot,

    /** Issues a key for bot `botId` within `scopes` (400 for unknown ones). */
    async issueKey(botId: number, scopes: string[]): Promise<IssuedKey> {
      const unknown = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
      if (scopes.length === 0 || unknown.length > 0)
        throw invalid([
          {
            name: 'scopes',
            reason: unknown.length > 0 ? `unknown scopes ${unknown.join(', ')}; known: ${API_KEY_SCOPES.join(', ')}` : 'must name at least one scope',
          },
        ]);
      const bot = await findBot(botId);
      const id = newId();
      const secret = randomBytes(32).toString('base64url');
      const now = clock.now();
      const sessionId = randomUUID();
      const record: ApiKeyRecord = { id, userId: bot.id, sessionId, keyHash: sha256(secret).toString('hex'), scopes: [...new Set(scopes)], createdAt: now };
      await store.transaction(async (tx) => {
        await tx.sessions.insert({
          id: sessionId,
          userId: bot.id,
          tokenId: randomUUID(),
          deviceId: null,
          deviceName: `API key ${id}`,
          deviceModel: null,
          pushToken: null,
          pushTransport: null,
          ipAddress: null,
          createdAt: now,
          updatedAt: now,
        });
        await tx.apiKeys.insert(record);
      });
      return { record, key: `pk_${id}_${secret}` };
    },

    async listKeys(botId: number): Promise<ApiKeyRecord[]> {
      await findBot(botId);
      return store.apiKeys.listByUser(botId);
    },

    /** Revokes a key: its session goes, so requests fail (401) and its sockets close at once. */
    async revokeKey(botId: number, keyId: string): Promise<void> {
      const key = await store.apiKeys.findById(keyId);
      if (!key || key.userId !== botId) throw notFound('API key');
      await store.apiKeys.delete(keyId);
      await store.sessions.delete(key.sessionId);
      await sessions.announceRevoked(botId, [key.sessionId]);
    },

    /** The bot, session and scopes behind an API key, or 401. */
    async authenticate(token: string): Promise<KeyAuthenticated> {
      const match = KEY.exec(token);
      const revoked = () => unauthenticated('The API key is unknown or has been revoked.');
      if (!match) throw revoked();
      const key = await store.apiKeys.findById(match[1]!);
      const given = sha256(match[2]!);
      if (!key || !timingSafeEqual(given, Buffer.from(key.keyHash, 'hex'))) throw revoked();
      const [session, user] = await Promise.all([store.sessions.findById(key.sessionId), store.users.findById(key.userId)]);
      if (!session || !user || user.disabledAt !== null) throw revoked();
      return { user, session, scopes: key.scopes, keyId: key.id };
    },
  };
}
