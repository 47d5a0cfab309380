/**
 * A stand-in Web Push endpoint (HTTPS on 127.0.0.1) that does what a browser's push service
 * and the browser do: checks the VAPID `Authorization: vapid t=<jwt>, k=<key>` (ES256, aud =
 * the endpoint's origin, signed by the server's public key `k`), then decrypts the
 * aes128gcm body with the subscription's private key and auth secret (http_ece).
 */
import { createECDH, randomBytes, randomUUID, type ECDH } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { decrypt } from 'http_ece';
import { importJWK, jwtVerify } from 'jose';
import webpush from 'web-push';
import { localCertificate } from './tls.js';

export interface WebPush {
  id: string;
  headers: Record<string, string | string[] | undefined>;
  payload: any;
}

export interface WebPushStandIn {
  origin: string;
  ca: string;
  env: Record<string, string>;
  /** A new browser subscription on this endpoint, as the JSON token a client sends. */
  subscribe(): string;
  received: WebPush[];
  refused: string[];
  answer: (push: WebPush) => number;
  close(): Promise<void>;
}

async function checkVapid(auth: string, origin: string, publicKey: string): Promise<string | undefined> {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(auth);
  if (!match) return `Authorization ${auth}`;
  const [, jwt, k] = match;
  if (k !== publicKey) return 'k is not the server key';
  const raw = Buffer.from(k!, 'base64url');
  const key = await importJWK({ kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') }, 'ES256');
  try {
    const { payload } = await jwtVerify(jwt!, key, { audience: origin, algorithms: ['ES256'] });
    if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return 'sub or exp missing';
  } catch (error) {
    return `VAPID JWT: ${(error as Error).message}`;
  }
  return undefined;
}

/** Starts the endpoint with fresh VAPID keys for Parley. */
export async function startWebPushStandIn(): Promise<WebPushStandIn> {
  const vapid = webpush.generateVAPIDKeys();
  const { key, cert } = await localCertificate();
  const subscriptions = new Map<string, { ecdh: ECDH; auth: string }>();
  const s: WebPushStandIn = {
    origin: '',
    ca: cert,
    env: {},
    subscribe: () => '',
    received: [],
    refused: [],
    answer: () => 201,
    close: async () => {},
  };
  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const end = (status: number) => res.writeHead(status).end();
      const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1];
      const subscription = id && subscriptions.get(id);
      if (req.method !== 'POST' || !subscription) return end(404);
      const problem =
        (await checkVapid(String(req.headers.authorization ?? ''), s.origin, vapid.publicKey)) ??
        (req.headers['content-encoding'] !== 'aes128gcm' ? `content-encoding ${req.headers['content-encoding']}` : undefined) ??
        (req.headers.ttl === undefined ? 'no TTL' : undefined);
      if (problem) {
        s.refused.push(problem);
        return end(403);
      }
      const plain = decrypt(Buffer.concat(chunks), { version: 'aes128gcm', privateKey: subscription.ecdh, authSecret: subscription.auth });
      const push: WebPush = { id: id!, headers: req.headers, payload: JSON.parse(plain.toString('utf8')) };
      s.received.push(push);
      end(s.answer(push));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s.origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.env = { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT: 'mailto:ops@parley.test' };
  s.subscribe = () => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16).toString('base64url');
    const id = randomUUID();
    subscriptions.set(id, { ecdh, auth });
    return JSON.stringify({ endpoint: `${s.origin}/push/${id}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth } });
  };
  s.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return s;
}
