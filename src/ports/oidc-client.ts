/**
 * The OpenID Connect relying-party side, behind a port: building the provider's authorization
 * URL and redeeming its callback (code exchange with the PKCE verifier, ID token checks).
 * The adapter (src/adapters/oidc) uses `openid-client`.
 */

/** What a sign-in needs kept between the start and the callback. */
export interface OidcRequest {
  state: string;
  nonce: string;
  /** For `authorizationUrl`: the S256 challenge; for `redeem`: the verifier. */
  pkce: string;
}

/** The checked ID token's claims that Parley reads. */
export interface OidcClaims {
  issuer: string;
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  preferredUsername: string | undefined;
  name: string | undefined;
}

export interface OidcClient {
  /** The provider's authorization URL for a code flow with PKCE S256, `state` and `nonce`. */
  authorizationUrl(request: OidcRequest): Promise<string>;
  /**
   * Checks the callback URL (its `state`, or the provider's error), exchanges its code with
   * the PKCE verifier and validates the ID token (signature, issuer, audience, `nonce`).
   * Throws `AppError` validation (a refused answer) or unavailable (the provider not answering).
   */
  redeem(callbackUrl: URL, request: OidcRequest): Promise<OidcClaims>;
}
