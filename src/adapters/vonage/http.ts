/**
 * The Conversation API's Users over HTTP (`{VONAGE_API_URL}/v0.3/users`), authenticated with
 * an admin JWT: RS256 with the application's private key, `application_id`, `iat`, `jti` and
 * a 15-minute `exp`, no `sub` and no `acl`.
 *
 * Every call is bounded: each attempt is aborted after `timeoutMs` (the answer's body
 * included), and network errors, timeouts, 429 and 5xx answers are retried at most
 * `retries` times with exponential backoff. Creating a user is retried too: when a first
 * attempt did create the user but its answer was lost, the retry meets "duplicate name",
 * which the caller resolves by looking the user up (see the V-app service).
 */
import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import { systemClock, type Clock } from '../../ports/clock.js';
import { VonageFailure, type ConversationUser, type ConversationUsers } from '../../ports/vonage.js';

export const ADMIN_TOKEN_TTL_SECONDS = 15 * 60;
/** Answers larger than this are refused rather than read (users and errors are small). */
const MAX_ANSWER_BYTES = 1024 * 1024;

export interface VonageHttpOptions {
  /** `VONAGE_API_URL`, without a trailing slash. */
  apiUrl: string;
  applicationId: string;
  /** PEM text of the application's RSA private key. */
  privateKeyPem: string;
  /** Per attempt. */
  timeoutMs: number;
  /** Further attempts after a network error, timeout, 429 or 5xx. */
  retries: number;
  /** The first retry waits this long, each further one twice as long. */
  backoffMs?: number;
  clock?: Clock;
}

interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
}

/** Signs an admin JWT (no `sub`, no `acl`) for the Conversation API. */
export async function signAdminToken(key: KeyObject, applicationId: string, clock: Clock = systemClock): Promise<string> {
  const issuedAt = Math.floor(clock.now() / 1000);
  return new SignJWT({ application_id: applicationId })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuedAt(issuedAt)
    .setJti(randomUUID())
    .setExpirationTime(issuedAt + ADMIN_TOKEN_TTL_SECONDS)
    .sign(key);
}

/** Vonage's own words for an error answer (`title`, `detail`), trimmed; never the whole body. */
function describeAnswer(method: string, path: string, answer: Answer): string {
  const words = [answer.body?.title, answer.body?.detail].filter((w): w is string => typeof w === 'string' && w !== '');
  const said = words.length > 0 ? `: ${words.join(' – ').slice(0, 300)}` : '';
  return `The Vonage Conversation API answered ${method} ${path} with HTTP ${answer.status}${said}`;
}

function describeError(method: string, path: string, error: unknown, timeoutMs: number): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `The Vonage Conversation API did not answer ${method} ${path} within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown })?.code;
  return `The Vonage Conversation API could not be reached for ${method} ${path}${typeof code === 'string' ? ` (${code})` : ''}`;
}

const retryable = (status: number) => status === 429 || status >= 500;

/** The Conversation API's Users over HTTP, with bounded time-outs and retries. */
export function createVonageHttpUsers(options: VonageHttpOptions): ConversationUsers {
  const { apiUrl, applicationId, timeoutMs, retries } = options;
  const backoffMs = options.backoffMs ?? 250;
  const clock = options.clock ?? systemClock;
  const key = createPrivateKey(options.privateKeyPem);

  async function attempt(method: string, path: string, body: unknown): Promise<Answer> {
    const signal = AbortSignal.timeout(timeoutMs);
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await signAdminToken(key, applicationId, clock)}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal,
      redirect: 'error',
    });
    if (Number(response.headers.get('content-length') ?? 0) > MAX_ANSWER_BYTES) {
      await response.body?.cancel();
      throw new VonageFailure(`The Vonage Conversation API sent an oversized answer to ${method} ${path}`);
    }
    const text = await response.text();
    let parsed: Record<string, unknown> | undefined;
    try {
      const value: unknown = text === '' ? undefined : JSON.parse(text);
      parsed = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed };
  }

  /** One call with its retries; resolves with the last answer, throws `VonageFailure` when none came. */
  async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    for (let tries = 0; ; tries++) {
      const last = tries >= retries;
      try {
        const answer = await attempt(method, path, body);
        if (!retryable(answer.status) || last) return answer;
      } catch (error) {
        if (error instanceof VonageFailure) throw error;
        if (last) throw new VonageFailure(describeError(method, path, error, timeoutMs), { cause: error });
      }
      await sleep(backoffMs * 2 ** tries);
    }
  }

  const userOf = (value: unknown): ConversationUser | undefined => {
    const user = value as { id?: unknown; name?: unknown } | undefined;
    return typeof user?.id === 'string' && user.id !== '' ? { id: user.id, name: typeof user.name === 'string' ? user.name : '' } : undefined;
  };

  return {
    async create({ name, displayName }) {
      const path = '/v0.3/users';
      const answer = await call('POST', path, { name, display_name: displayName });
      if (answer.status === 409 || answer.body?.code === 'user:error:duplicate-name') return undefined;
      const user = answer.status >= 200 && answer.status < 300 ? userOf(answer.body) : undefined;
      if (!user) throw new VonageFailure(describeAnswer('POST', path, answer));
      return { id: user.id, name };
    },

    async findByName(name) {
      const path = `/v0.3/users?name=${encodeURIComponent(name)}`;
      const answer = await call('GET', path);
      if (answer.status === 404) return undefined;
      if (answer.status !== 200) throw new VonageFailure(describeAnswer('GET', '/v0.3/users', answer));
      // v0.3 lists under `_embedded.users`; later versions under `_embedded.data.users`.
      const embedded = answer.body?._embedded as { users?: unknown; data?: { users?: unknown } } | undefined;
      const list = embedded?.users ?? embedded?.data?.users;
      const users = Array.isArray(list) ? list.map(userOf).filter((u): u is ConversationUser => u !== undefined) : [];
      return users.find((u) => u.name === name);
    },

    async updateImage(id, imageUrl) {
      const path = `/v0.3/users/${encodeURIComponent(id)}`;
      const answer = await call('PATCH', path, { image_url: imageUrl });
      if (answer.status < 200 || answer.status >= 300) throw new VonageFailure(describeAnswer('PATCH', path, answer));
    },

    // Retried like every call: a lost answer leaves at worst an empty, unused conversation at Vonage.
    async createConversation() {
      const path = '/v0.3/conversations';
      const answer = await call('POST', path, {});
      const id = answer.body?.id;
      if (answer.status < 200 || answer.status >= 300 || typeof id !== 'string' || id === '') throw new VonageFailure(describeAnswer('POST', path, answer));
      return id;
    },

    async addMember(conversationId, userId) {
      const path = `/v0.3/conversations/${encodeURIComponent(conversationId)}/members`;
      const answer = await call('POST', path, { state: 'joined', user: { id: userId }, channel: { type: 'app' } });
      // Already a member (a retry whose first answer was lost) is what was asked for.
      if (answer.status === 409) return;
      if (answer.status < 200 || answer.status >= 300) throw new VonageFailure(describeAnswer('POST', path, answer));
    },
  };
}
