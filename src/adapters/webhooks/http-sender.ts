/**
 * Webhook POSTs over node:http(s), refusing private, loopback, link-local and other
 * non-public addresses (SSRF) unless the host is in `WEBHOOK_ALLOW_HOSTS`. The check runs on
 * the addresses the connection actually uses (a custom `lookup`), so a name that resolves to
 * a public address when the webhook is created and to a private one later (DNS rebinding)
 * is still refused. Redirects are not followed.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { WebhookAttempt, WebhookSender } from '../../ports/webhook-sender.js';

/** Ranges no webhook may reach by default (RFC 6890 special-purpose, private, loopback, multicast). */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv6');

/** True when `address` is not a public one (an IPv4-mapped IPv6 address is judged by its IPv4). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^\[|\]$/g, '');

/** The webhook sender; `allowHosts` are host names or addresses that may be private. */
export function createHttpWebhookSender(allowHosts: readonly string[]): WebhookSender {
  const allowed = new Set(allowHosts.map((h) => h.toLowerCase()));
  const mayReach = (host: string, address: string) => allowed.has(host) || allowed.has(address.toLowerCase()) || !isPrivateAddress(address);

  function parse(raw: string): URL | string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return 'is not a URL';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
    if (url.username !== '' || url.password !== '') return 'must not hold credentials';
    return url;
  }

  /** A lookup that fails for any address the webhook may not reach. */
  const guardedLookup =
    (host: string): LookupFunction =>
    (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, '', 0);
        const refused = addresses.find((a) => !mayReach(host, a.address));
        if (refused) return callback(new Error(`${hostname} resolves to a private address (${refused.address})`), '', 0);
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        const first = addresses[0];
        if (!first) return callback(new Error(`${hostname} has no address`), '', 0);
        callback(null, first.address, first.family);
      });
    };

  return {
    async refuse(raw) {
      const url = parse(raw);
      if (typeof url === 'string') return url;
      const host = hostOf(url);
      if (isIP(host) !== 0) return mayReach(host, host) ? undefined : 'is a private or loopback address (see WEBHOOK_ALLOW_HOSTS)';
      if (allowed.has(host)) return undefined;
      const addresses = await new Promise<LookupAddress[] | undefined>((resolve) => dnsLookup(host, { all: true }, (e, a) => resolve(e ? undefined : a)));
      if (!addresses || addresses.length === 0) return 'names a host that does not resolve';
      if (addresses.some((a) => !mayReach(host, a.address))) return 'resolves to a private or loopback address (see WEBHOOK_ALLOW_HOSTS)';
      return undefined;
    },

    post(raw, body, headers, timeoutMs) {
      const url = parse(raw);
      if (typeof url === 'string') return Promise.resolve({ ok: false, error: `url ${url}` });
      const host = hostOf(url);
      if (isIP(host) !== 0 && !mayReach(host, host)) return Promise.resolve({ ok: false, error: 'refused: a private or loopback address' });
      const client = url.protocol === 'https:' ? https : http;
      return new Promise<WebhookAttempt>((resolve) => {
        const request = client.request(
          url,
          {
            method: 'POST',
            headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
            lookup: guardedLookup(host),
            timeout: timeoutMs,
            // One socket per attempt: a receiver's kept-alive socket is no shared state to go stale.
            agent: false,
          },
          (response) => {
            const status = response.statusCode ?? 0;
            // The answer's body is not read beyond its end; it is not kept.
            response.resume();
            response.on('end', () => resolve(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `HTTP ${status}` }));
            response.on('error', (e) => resolve({ ok: false, status, error: e.message }));
          },
        );
        const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        request.on('error', (e) => resolve({ ok: false, error: e.message }));
        request.on('close', () => clearTimeout(timer));
        request.end(body);
      });
    },
  };
}
