/**
 * A stand-in for FCM HTTP v1 on plain HTTP (127.0.0.1): its OAuth2 token endpoint (checks
 * the RS256 JWT assertion against the service account's public key: iss, aud, scope) and
 * `POST /v1/projects/<id>/messages:send` (checks the Bearer access token it issued).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';

export interface FcmPush {
  message: any;
}

export interface FcmStandIn {
  url: string;
  /** FCM_SERVICE_ACCOUNT (JSON text) and FCM_API_URL for Parley. */
  env: Record<string, string>;
  serviceAccount: Record<string, string>;
  received: FcmPush[];
  tokenRequests: number;
  refused: string[];
  /** How to answer an accepted push (default 200 with a message name). */
  answer: (push: FcmPush) => { status: number; body?: unknown };
  close(): Promise<void>;
}

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

const readBody = (req: http.IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(body));
  });

/** Starts the stand-in with a fresh service account of project `parley-test`. */
export async function startFcmStandIn(): Promise<FcmStandIn> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const issued = new Set<string>();
  const s: FcmStandIn = {
    url: '',
    env: {},
    serviceAccount: {},
    received: [],
    tokenRequests: 0,
    refused: [],
    answer: () => ({ status: 200, body: { name: 'projects/parley-test/messages/1' } }),
    close: async () => {},
  };
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'POST' && req.url === '/token') {
      s.tokenRequests++;
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return json(400, { error: 'unsupported_grant_type' });
      try {
        const { payload } = await jwtVerify(form.get('assertion') ?? '', publicKey, {
          issuer: s.serviceAccount.client_email,
          audience: s.serviceAccount.token_uri,
          algorithms: ['RS256'],
        });
        if (payload.scope !== SCOPE) throw new Error(`scope ${payload.scope}`);
      } catch (error) {
        s.refused.push(`assertion: ${(error as Error).message}`);
        return json(400, { error: 'invalid_grant' });
      }
      const token = randomBytes(16).toString('hex');
      issued.add(token);
      return json(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
    }
    if (req.method === 'POST' && req.url === `/v1/projects/${s.serviceAccount.project_id}/messages:send`) {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer || !issued.has(bearer)) {
        s.refused.push(`bearer ${bearer}`);
        return json(401, { error: { code: 401, status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' } });
      }
      const push = JSON.parse(body) as FcmPush;
      s.received.push(push);
      const { status, body: answer } = s.answer(push);
      return json(status, answer ?? {});
    }
    json(404, { error: { status: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.serviceAccount = {
    type: 'service_account',
    project_id: 'parley-test',
    private_key_id: 'key-1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: 'push@parley-test.iam.gserviceaccount.com',
    token_uri: `${s.url}/token`,
  };
  s.env = { FCM_SERVICE_ACCOUNT: JSON.stringify(s.serviceAccount), FCM_API_URL: s.url };
  s.close = () => new Promise((resolve) => server.close(() => resolve()));
  return s;
}

/** FCM's answer for a token that is no longer registered. */
export const UNREGISTERED = {
  status: 404,
  body: {
    error: {
      code: 404,
      status: 'NOT_FOUND',
      message: 'Requested entity was not found.',
      details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }],
    },
  },
};
