/**
 * The integrations part of the configuration (issue 22): outgoing webhooks. Read by
 * `loadConfig` through its readers.
 */
import type { Readers } from './config.readers.js';

export interface WebhookConfig {
  /**
   * Hosts (names or addresses, lower case) a webhook may reach although they are private or
   * loopback (`WEBHOOK_ALLOW_HOSTS`, comma-separated; `127.0.0.1` in tests). Empty: none.
   */
  allowHosts: string[];
  /** First retry after this long, doubling each time up to an hour (`WEBHOOK_RETRY_BASE_MS`). */
  retryBaseMs: number;
  /** Attempts before a delivery is marked failed and the next one goes (`WEBHOOK_MAX_ATTEMPTS`). */
  maxAttempts: number;
  /** One attempt's time limit (`WEBHOOK_TIMEOUT_MS`). */
  timeoutMs: number;
  /** Webhooks delivered to at once per node (`WEBHOOK_CONCURRENCY`); each webhook's own deliveries go one by one, in order. */
  concurrency: number;
}

export function readWebhookConfig(r: Readers): WebhookConfig {
  const allowHosts = (r.get('WEBHOOK_ALLOW_HOSTS') ?? '')
    .split(',')
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, ''),
    )
    .filter((h) => h !== '');
  return {
    allowHosts,
    retryBaseMs: r.int('WEBHOOK_RETRY_BASE_MS', 2000, 1, 3_600_000),
    maxAttempts: r.int('WEBHOOK_MAX_ATTEMPTS', 12, 1, 100),
    timeoutMs: r.int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    concurrency: r.int('WEBHOOK_CONCURRENCY', 8, 1, 256),
  };
}

/** OIDC single sign-on (issue 22); off unless `OIDC_ISSUER` and `OIDC_CLIENT_ID` are set. */
export interface OidcConfig {
  /** The provider's issuer URL, whose `/.well-known/openid-configuration` is read (`OIDC_ISSUER`). */
  issuer: string;
  clientId: string;
  /** Sent with HTTP Basic to the token endpoint; none for a public client (`OIDC_CLIENT_SECRET`). */
  clientSecret: string | undefined;
  /** Registered with the provider (`OIDC_REDIRECT_URL`, default PUBLIC_URL + `/auth/oidc/callback`). */
  redirectUrl: string;
  /** A first sign-in links the existing account of the same verified email (`OIDC_LINK_BY_EMAIL=on`, default off). */
  linkByEmail: boolean;
  /** Shown as "Sign in with …" (`OIDC_NAME`, default the issuer's host name). */
  name: string;
}

export function readOidcConfig(r: Readers, publicUrl: string): OidcConfig | null {
  const issuer = r.url('OIDC_ISSUER', ['http:', 'https:']);
  const clientId = r.get('OIDC_CLIENT_ID');
  const linkRaw = r.get('OIDC_LINK_BY_EMAIL') ?? 'off';
  if (!['on', 'off'].includes(linkRaw)) r.problems.push(`OIDC_LINK_BY_EMAIL: expected on or off, got "${linkRaw}"`);
  const redirectUrl = r.url('OIDC_REDIRECT_URL', ['http:', 'https:']) ?? `${publicUrl}/auth/oidc/callback`;
  if (issuer === undefined && clientId === undefined) return null;
  if (issuer === undefined || clientId === undefined) {
    r.problems.push('OIDC_ISSUER and OIDC_CLIENT_ID: set both (single sign-on) or neither');
    return null;
  }
  return {
    issuer,
    clientId,
    clientSecret: r.get('OIDC_CLIENT_SECRET'),
    redirectUrl,
    linkByEmail: linkRaw === 'on',
    name: r.get('OIDC_NAME') ?? new URL(issuer).hostname,
  };
}
