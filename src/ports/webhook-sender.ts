/** Outgoing webhook HTTP: where a webhook may point, and one signed POST. */

/** How one POST ended. */
export interface WebhookAttempt {
  /** True for a 2xx answer. */
  ok: boolean;
  /** The HTTP status, when an answer came. */
  status?: number | undefined;
  /** Why it failed (network error, timeout, refused destination, non-2xx). */
  error?: string | undefined;
}

export interface WebhookSender {
  /** Why `url` may not be a webhook's destination (scheme, private address…), or undefined when it may. */
  refuse(url: string): Promise<string | undefined>;
  /** POSTs `body` (JSON) to `url` with `headers`; never throws; gives up after `timeoutMs`. */
  post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<WebhookAttempt>;
}
