/** The effective configuration for `parley config`, with every secret masked. */
import { redactUrl, type Config } from '../config.js';

/** Names of settings that hold a secret (keys, tokens, passwords), however later ones are named. */
const SECRET_NAME = /(key|secret|password|token|pem)$/i;

/**
 * Copies `value` with secrets replaced by `***` (set) or null (unset) and passwords in URLs
 * masked. Numbers are left alone, so `tokenTtlSeconds` still shows.
 */
export function maskConfig(value: Config | Record<string, unknown>): Record<string, unknown> {
  const mask = (name: string, v: unknown): unknown => {
    if (typeof v === 'string') return SECRET_NAME.test(name) ? '***' : /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? redactUrl(v) : v;
    if (Array.isArray(v) || v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, mask(k, inner)]));
  };
  return mask('', value) as Record<string, unknown>;
}
