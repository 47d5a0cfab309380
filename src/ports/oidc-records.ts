/**
 * Store records of OIDC single sign-on: sign-ins waiting for their callback, and the links
 * from a provider's (issuer, subject) to a user. Part of the Store port. Times are epoch ms.
 */

/** A sign-in begun at `/auth/oidc/start`: what its callback needs, kept server-side. */
export interface OidcLoginRecord {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Where the web app wants the answer (a path of this server), or null for JSON. */
  redirect: string | null;
  expiresAt: number;
}

export interface OidcIdentityRecord {
  issuer: string;
  subject: string;
  userId: number;
  createdAt: number;
}

export interface OidcRepository {
  saveLogin(record: OidcLoginRecord): Promise<void>;
  /** Removes and returns the sign-in of `state` if it has not expired at `now`: each is taken once. */
  takeLogin(state: string, now: number): Promise<OidcLoginRecord | undefined>;
  /** Removes sign-ins that expired before `now`. */
  deleteExpiredLogins(now: number): Promise<void>;
  findIdentity(issuer: string, subject: string): Promise<OidcIdentityRecord | undefined>;
  /** Links; a link of the same (issuer, subject) made meanwhile raises `UniqueViolation`. */
  insertIdentity(record: OidcIdentityRecord): Promise<void>;
}
