/**
 * Helpers for the V-app tests: sign-ups over inject, multipart bodies, RSA keys, and a local
 * HTTP server (127.0.0.1, port 0) that plays the Conversation API's Users.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ParleyApp } from '../src/app.js';
import { bearer, uniqueName } from './helpers.js';

export const PASSWORD = 'correct horse battery';

/** Signs up through the V-app; throws unless 201. */
export async function vappSignup(app: ParleyApp, overrides: Record<string, unknown> = {}) {
  const payload = { name: uniqueName('vapp'), password: PASSWORD, display_name: 'Vapp User', ...overrides };
  const res = await app.inject({ method: 'POST', url: '/vapp/signup', payload });
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return { name: body.user.name as string, id: body.user.id as string, token: body.token as string, body };
}

export interface FormFile {
  field?: string;
  filename?: string;
  contentType?: string;
}

/** A multipart/form-data body with one file part (and optional text fields before it). */
export function multipart(file: Buffer, options: FormFile & { fields?: Record<string, string> } = {}) {
  const boundary = `----parley${randomUUID()}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(options.fields ?? {})) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${options.field ?? 'image'}"; filename="${options.filename ?? 'a.png'}"\r\n` +
        `Content-Type: ${options.contentType ?? 'image/png'}\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** POSTs a one-file form to a V-app image route. */
export function postImage(app: ParleyApp, url: string, token: string | undefined, file: Buffer, options: FormFile = {}) {
  const form = multipart(file, options);
  return app.inject({ method: 'POST', url, headers: { ...form.headers, ...(token ? bearer(token) : {}) }, payload: form.payload });
}

/** A fresh RSA key pair as PEM text. */
export function rsaKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface SeenRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  body: any;
}

/** How the stand-in answers: normally, with a 500 to everything, or never. */
export type MockMode = 'normal' | 'fail' | 'hang';

/** A local stand-in for `{VONAGE_API_URL}/v0.3/users` and `/v0.3/conversations` (creation and members). */
export async function startVonageMock() {
  const requests: SeenRequest[] = [];
  /** Users by name. */
  const users = new Map<string, { id: string; name: string; display_name?: string; image_url?: string }>();
  /** Conversations by id, with their members' user ids. */
  const conversations = new Map<string, { id: string; members: string[] }>();
  const state = { mode: 'normal' as MockMode };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = text === '' ? undefined : JSON.parse(text);
    requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
    if (state.mode === 'hang') return; // never answers; the client's timeout must end it
    if (state.mode === 'fail')
      return send(res, 500, {
        type: 'https://developer.nexmo.com/api-errors#system:error:internal-error',
        title: 'Internal Error',
        detail: 'Something broke.',
      });
    const url = new URL(req.url!, 'http://mock');
    if (req.method === 'POST' && url.pathname === '/v0.3/users') {
      if (users.has(body.name)) return send(res, 409, { code: 'user:error:duplicate-name', title: 'Bad Request', detail: `User ${body.name} already exists` });
      const user = { id: `USR-${randomUUID()}`, name: body.name, display_name: body.display_name };
      users.set(user.name, user);
      return send(res, 201, { id: user.id, href: `http://mock/v0.3/users/${user.id}` });
    }
    if (req.method === 'GET' && url.pathname === '/v0.3/users') {
      const name = url.searchParams.get('name');
      const list = [...users.values()].filter((u) => name === null || u.name === name);
      return send(res, 200, { page_size: 10, _embedded: { users: list }, _links: {} });
    }
    if (req.method === 'POST' && url.pathname === '/v0.3/conversations') {
      const conversation = { id: `CON-${randomUUID()}`, members: [] as string[] };
      conversations.set(conversation.id, conversation);
      return send(res, 201, { id: conversation.id, href: `http://mock/v0.3/conversations/${conversation.id}` });
    }
    const members = /^\/v0\.3\/conversations\/([^/]+)\/members$/.exec(url.pathname);
    const conversation = members && conversations.get(decodeURIComponent(members[1]!));
    if (req.method === 'POST' && conversation) {
      const userId = body?.user?.id;
      if (![...users.values()].some((u) => u.id === userId)) return send(res, 404, { code: 'user:error:not-found', title: 'Not found' });
      if (conversation.members.includes(userId)) return send(res, 409, { code: 'member:error:already-joined', title: 'Conflict' });
      conversation.members.push(userId);
      return send(res, 201, { id: `MEM-${randomUUID()}`, state: 'JOINED', user: { id: userId } });
    }
    const match = /^\/v0\.3\/users\/([^/]+)$/.exec(url.pathname);
    const user = match && [...users.values()].find((u) => u.id === decodeURIComponent(match[1]!));
    if (req.method === 'PATCH' && user) {
      Object.assign(user, body);
      return send(res, 200, user);
    }
    return send(res, 404, { title: 'Not found' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 400, { title: 'bad request' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    users,
    conversations,
    state,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The default avatar URL of a user without a photo (PUBLIC_URL http://parley.test, prefix /vapp). */
export const defaultAvatar = (name: string) => `http://parley.test/vapp/avatars/${name}.svg`;
