/**
 * The OIDC port over `openid-client` (v6): discovery of the issuer (once, retried after a
 * failure), authorization URLs, and the code exchange with its ID token checks.
 */
import * as oidc from 'openid-client';
import type { OidcConfig } from '../../config.js';
import { AppError, invalid, unavailable } from '../../errors.js';
import type { OidcClaims, OidcClient, OidcRequest } from '../../ports/oidc-client.js';

const SCOPE = 'openid email profile';

/** A refusal by the provider or by the checks is the caller's bad request; anything else is the provider not answering. */
function mapError(error: unknown): never {
  if (error instanceof AppError) throw error;
  if (error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError) {
    throw invalid([{ name: 'code', reason: `refused by the provider: ${error.error}` }], 'The sign-in was refused by the provider.');
  }
  if (error instanceof oidc.ClientError) {
    // The underlying check's message names the claim (`unexpected ID Token "nonce" claim value`).
    const reason = error.cause instanceof Error ? error.cause.message : error.message;
    throw invalid([{ name: 'code', reason }], 'The sign-in provider’s answer did not pass its checks.');
  }
  throw unavailable(5, 'The sign-in provider is not answering; try again shortly.');
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

export function createOpenIdClient(config: OidcConfig): OidcClient {
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    discovered ??= oidc
      .discovery(
        new URL(config.issuer),
        config.clientId,
        config.clientSecret,
        config.clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(config.clientSecret),
        // Plain http only when the issuer itself is http (a provider on this machine, tests).
        new URL(config.issuer).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };

  return {
    async authorizationUrl({ state, nonce, pkce }: OidcRequest) {
      const c = await configuration().catch(mapError);
      return oidc
        .buildAuthorizationUrl(c, { redirect_uri: config.redirectUrl, scope: SCOPE, state, nonce, code_challenge: pkce, code_challenge_method: 'S256' })
        .toString();
    },
    async redeem(callbackUrl: URL, { state, nonce, pkce }: OidcRequest): Promise<OidcClaims> {
      try {
        const c = await configuration();
        const tokens = await oidc.authorizationCodeGrant(
          c,
          callbackUrl,
          {
            pkceCodeVerifier: pkce,
            expectedState: state,
            expectedNonce: nonce,
            idTokenExpected: true,
          },
          { redirect_uri: config.redirectUrl },
        );
        const idToken = tokens.claims();
        if (!idToken) throw invalid([{ name: 'code', reason: 'no ID token' }], 'The sign-in provider sent no ID token.');
        // Providers may keep the profile and email claims out of the ID token: then they come from userinfo (same subject).
        const claims: Record<string, unknown> & { iss: string; sub: string } =
          c.serverMetadata().userinfo_endpoint && tokens.access_token
            ? { ...(await oidc.fetchUserInfo(c, tokens.access_token, idToken.sub)), ...idToken }
            : idToken;
        return {
          issuer: claims.iss,
          subject: claims.sub,
          email: text(claims.email),
          emailVerified: claims.email_verified === true,
          preferredUsername: text(claims.preferred_username),
          name: text(claims.name),
        };
      } catch (error) {
        mapError(error);
      }
    },
  };
}
