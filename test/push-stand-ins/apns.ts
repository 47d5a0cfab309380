/**
 * A stand-in for APNs: an HTTP/2 TLS server on 127.0.0.1 that checks what Apple checks: the
 * path `/3/device/<token>`, `apns-topic`, `apns-push-type`, and the provider JWT (ES256,
 * signed by the team's key, `kid` = key id, `iss` = team id, a recent `iat`).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { localCertificate } from './tls.js';

export interface ApnsPush {
  token: string;
  headers: http2.IncomingHttpHeaders;
  payload: any;
  jwt: string;
}

export interface ApnsStandIn {
  /** `127.0.0.1:<port>` for APNS_HOST. */
  host: string;
  ca: string;
  /** APNS_KEY etc. for Parley. */
  env: Record<string, string>;
  keyPem: string;
  keyId: string;
  teamId: string;
  topic: string;
  received: ApnsPush[];
  /** Requests refused because a check failed, with why. */
  refused: string[];
  /** How to answer an accepted push (default 200). */
  answer: (push: ApnsPush) => { status: number; reason?: string };
  close(): Promise<void>;
}

/** Starts the stand-in with a fresh P-256 key of a made-up team. */
export async function startApnsStandIn(): Promise<ApnsStandIn> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const { key, cert } = await localCertificate();
  const server = http2.createSecureServer({ key, cert });
  const standIn: ApnsStandIn = {
    host: '',
    ca: cert,
    env: {},
    keyPem,
    keyId: 'KEY1234567',
    teamId: 'TEAM123456',
    topic: 'chat.parley.app',
    received: [],
    refused: [],
    answer: () => ({ status: 200 }),
    close: async () => {},
  };
  server.on('stream', (stream, headers) => {
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', async () => {
      const reply = (status: number, reason?: string) => {
        stream.respond({ ':status': status, 'apns-id': '00000000-0000-0000-0000-000000000000', 'content-type': 'application/json' });
        stream.end(reason ? JSON.stringify({ reason }) : undefined);
      };
      const problem = await check(headers, publicKey, standIn);
      if (problem) {
        standIn.refused.push(problem);
        return reply(403, 'InvalidProviderToken');
      }
      const push: ApnsPush = {
        token: String(headers[':path']).slice('/3/device/'.length),
        headers,
        payload: JSON.parse(body),
        jwt: String(headers.authorization).slice(7),
      };
      standIn.received.push(push);
      const { status, reason } = standIn.answer(push);
      reply(status, reason);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.env = { APNS_KEY: keyPem, APNS_KEY_ID: standIn.keyId, APNS_TEAM_ID: standIn.teamId, APNS_TOPIC: standIn.topic, APNS_HOST: standIn.host };
  standIn.close = () => new Promise((resolve) => server.close(() => resolve()));
  return standIn;
}

async function check(headers: http2.IncomingHttpHeaders, publicKey: KeyObject, s: ApnsStandIn): Promise<string | undefined> {
  if (headers[':method'] !== 'POST') return `method ${headers[':method']}`;
  if (!/^\/3\/device\/[^/]+$/.test(String(headers[':path']))) return `path ${headers[':path']}`;
  if (headers['apns-topic'] !== s.topic) return `apns-topic ${headers['apns-topic']}`;
  if (!['alert', 'background'].includes(String(headers['apns-push-type']))) return `apns-push-type ${headers['apns-push-type']}`;
  const auth = String(headers.authorization ?? '');
  if (!auth.startsWith('bearer ')) return 'no bearer provider token';
  const jwt = auth.slice(7);
  try {
    const header = decodeProtectedHeader(jwt);
    if (header.alg !== 'ES256' || header.kid !== s.keyId) return `JWT header ${JSON.stringify(header)}`;
    const { payload } = await jwtVerify(jwt, publicKey, { issuer: s.teamId, algorithms: ['ES256'] });
    if (typeof payload.iat !== 'number' || Math.abs(Date.now() / 1000 - payload.iat) > 3600) return 'JWT iat missing or stale';
  } catch (error) {
    return `JWT: ${(error as Error).message}`;
  }
  return undefined;
}
