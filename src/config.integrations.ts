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
