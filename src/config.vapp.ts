/** The V-app family (`VAPP_PREFIX`) and its Vonage Conversation API account, read through `loadConfig`'s readers. */
import type { Readers } from './config.readers.js';

export interface VappConfig {
  vappPrefix: string;
  vonageApplicationId: string | undefined;
  vonagePrivateKey: string | undefined;
  vonageApiUrl: string;
  /** Each Conversation API attempt is aborted after this long (`VONAGE_TIMEOUT_MS`). */
  vonageTimeoutMs: number;
  /** Further attempts after a network error, timeout, 429 or 5xx (`VONAGE_RETRIES`). */
  vonageRetries: number;
}

export function readVappConfig(r: Readers): VappConfig {
  const vappPrefix = r.get('VAPP_PREFIX') ?? '/vapp';
  if (!/^\/[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(vappPrefix)) {
    r.problems.push(`VAPP_PREFIX: expected a path such as "/vapp", got "${vappPrefix}"`);
  }
  const vonageApplicationId = r.get('VONAGE_APPLICATION_ID');
  const vonagePrivateKey = r.pem('VONAGE_PRIVATE_KEY');
  if ((vonageApplicationId === undefined) !== (vonagePrivateKey === undefined) && !r.problems.some((p) => p.startsWith('VONAGE_PRIVATE_KEY'))) {
    r.problems.push('VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY: set both or neither');
  }
  return {
    vappPrefix,
    vonageApplicationId,
    vonagePrivateKey,
    vonageApiUrl: (r.url('VONAGE_API_URL', ['http:', 'https:']) ?? 'https://api.nexmo.com').replace(/\/+$/, ''),
    vonageTimeoutMs: r.int('VONAGE_TIMEOUT_MS', 5000, 100, 60_000),
    vonageRetries: r.int('VONAGE_RETRIES', 2, 0, 5),
  };
}
