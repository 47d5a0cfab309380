/**
 * OIDC single sign-on (issue 22): a sign-in is begun (state, nonce and PKCE verifier kept in
 * the store, so any node may take the callback; each is good once, for ten minutes), then its
 * callback is redeemed through the OIDC port and the account found by the provider's
 * (issuer, subject), linked by a verified email when allowed, or created.
 */
import { createHash, randomBytes } from 'node:crypto';
import { accountDisabled, invalid, notFound } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { OidcClaims, OidcClient } from '../ports/oidc-client.js';
import { UniqueViolation, type Store, type UserRecord } from '../ports/store.js';
import { emailKeyOf, foldUsername, NAME_MAX } from './account-rules.js';
import type { AccountsService, LoginResult } from './accounts.service.js';
import type { SessionsService } from './sessions.service.js';

/** How long a begun sign-in waits for its callback. */
export const OIDC_LOGIN_TTL_MS = 10 * 60_000;

export interface OidcSettings {
  /** Shown as "Sign in with …". */
  name: string;
  linkByEmail: boolean;
  /** The callback URL registered with the provider. */
  redirectUrl: string;
}

const random = () => randomBytes(32).toString('base64url');
const challengeOf = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** A username from the claims: preferred_username, or the email's local part, reduced to the username rules. */
export function usernameBase(claims: Pick<OidcClaims, 'preferredUsername' | 'email'>): string {
  const raw = claims.preferredUsername ?? claims.email?.split('@')[0] ?? '';
  const cleaned = foldUsername(raw)
    .replace(/[^a-z0-9._-]+/g, '')
    .slice(0, 28);
  return cleaned.length >= 3 ? cleaned : `user${cleaned}`;
}

export type OidcService = ReturnType<typeof createOidcService>;

export function createOidcService(deps: {
  store: Store;
  clock: Clock;
  accounts: AccountsService;
  sessions: SessionsService;
  client: OidcClient | undefined;
  settings: OidcSettings | undefined;
}) {
  const { store, clock, accounts, sessions, client, settings } = deps;

  const configured = () => {
    if (!client || !settings) throw notFound('Single sign-on');
    return { client, settings };
  };

  /** Creates an account for a first sign-in: a free username from the claims, the email when verified and free. */
  async function createUser(claims: OidcClaims, ipAddress: string): Promise<UserRecord> {
    const base = usernameBase(claims);
    let email = claims.emailVerified ? claims.email : undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      const username = attempt === 0 ? base : attempt < 10 ? `${base}${attempt + 1}` : `${base}${randomBytes(3).toString('hex')}`;
      const name = [...(claims.name ?? username).trim()].slice(0, NAME_MAX).join('') || username;
      try {
        const prepared = await accounts.prepareAccount({ name, username, password: random(), email, ipAddress }, { unthrottled: true });
        return await accounts.insertAccount(prepared);
      } catch (error) {
        const field = (error as { details?: { field?: string } }).details?.field;
        if (field === 'username') continue;
        // The address belongs to another account (not linked by email): the new one has none.
        if (field === 'email' || (error as { code?: string }).code === 'validation') {
          if (email === undefined) throw error;
          email = undefined;
          attempt--;
          continue;
        }
        throw error;
      }
    }
    throw invalid([{ name: 'preferred_username', reason: 'no free username could be made from it' }]);
  }

  /** The user of the claims: linked before, linked now by a verified email, or new. */
  async function userFor(claims: OidcClaims, linkByEmail: boolean, ipAddress: string): Promise<UserRecord> {
    const linked = await store.oidc.findIdentity(claims.issuer, claims.subject);
    if (linked) {
      const user = await store.users.findById(linked.userId);
      if (user) return user;
    }
    let user: UserRecord | undefined;
    if (linkByEmail && claims.emailVerified && claims.email) user = await store.users.findByEmail(emailKeyOf(claims.email));
    user ??= await createUser(claims, ipAddress);
    try {
      await store.oidc.insertIdentity({ issuer: claims.issuer, subject: claims.subject, userId: user.id, createdAt: clock.now() });
    } catch (error) {
      if (!(error instanceof UniqueViolation)) throw error;
      // Two first sign-ins raced: the link made first wins.
      const winner = await store.oidc.findIdentity(claims.issuer, claims.subject);
      const other = winner && (await store.users.findById(winner.userId));
      if (other) return other;
      throw error;
    }
    return user;
  }

  return {
    /** Whether single sign-on is on, and the provider's name. */
    describe(): { enabled: boolean; name: string | null } {
      return settings && client ? { enabled: true, name: settings.name } : { enabled: false, name: null };
    },

    /** Begins a sign-in; returns the provider's authorization URL. `redirect`: where the callback sends the browser (a path here), or null for JSON. */
    async start(redirect: string | null): Promise<string> {
      const { client } = configured();
      const now = clock.now();
      const state = random();
      const nonce = random();
      const verifier = random();
      await store.oidc.deleteExpiredLogins(now);
      await store.oidc.saveLogin({ state, nonce, codeVerifier: verifier, redirect, expiresAt: now + OIDC_LOGIN_TTL_MS });
      return client.authorizationUrl({ state, nonce, pkce: challengeOf(verifier) });
    },

    /** Redeems a callback (`search`: the query the provider sent, `?code=…&state=…`) and opens a device session. */
    async finish(search: string, ipAddress: string): Promise<LoginResult & { redirect: string | null }> {
      const { client, settings } = configured();
      const callbackUrl = new URL(settings.redirectUrl);
      callbackUrl.search = search;
      const state = callbackUrl.searchParams.get('state');
      if (!state) throw invalid([{ name: 'state', reason: 'is required' }]);
      const login = await store.oidc.takeLogin(state, clock.now());
      if (!login) throw invalid([{ name: 'state', reason: 'is unknown, already used or expired' }], 'Start the sign-in again.');
      const claims = await client.redeem(callbackUrl, { state, nonce: login.nonce, pkce: login.codeVerifier });
      const user = await userFor(claims, settings.linkByEmail, ipAddress);
      if (user.disabledAt !== null || user.isBot) throw accountDisabled();
      const opened = await sessions.open(user, { name: `Single sign-on (${settings.name})` }, ipAddress);
      const now = clock.now();
      await store.users.update(user.id, { lastSeenAt: now });
      return { user: { ...user, lastSeenAt: now }, opened, redirect: login.redirect };
    },
  };
}
