/**
 * Messages persisted per second: 50 users in one group chat, 50 concurrent connections, each
 * request a new message (unique localId) from one of the senders. Counts what the store holds
 * afterwards (the newest seq), not only what the client saw.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { cpuOf } from '../lib/cpu.js';
import { call } from '../lib/server.js';

export const SENDERS = 50;

/**
 * What each request does: `plain` sends a text; `reply-mention` sends a reply (replyTo) that
 * mentions another member; `reaction` adds or removes a reaction (every request a change:
 * each (sender, emoji) pair is added, then removed on its next turn).
 */
export type MessagesMode = 'plain' | 'reply-mention' | 'reaction';
const EMOJI = ['👍', '❤️', '😂', '🎉', '🔥', '👀', '🙏', '😮', '😢', '✅'];

/** The senders, their group chat and its first message (what replies and reactions name). */
export interface MessagesSetup {
  serverUrl: string;
  prefix: string;
  users: Array<{ id: number; token: string }>;
  path: string;
  rootId: string;
  /** Requests made so far in reaction mode: where each (sender, emoji) pair's toggling stands. */
  reactions: number;
}

export async function setUpMessages(serverUrl: string, prefix = 'sender'): Promise<MessagesSetup> {
  const users: Array<{ id: number; token: string }> = [];
  for (let i = 0; i < SENDERS; i++) {
    users.push(await call(`${serverUrl}/users`, { body: { name: `Sender ${i}`, username: `${prefix}${i}`, password: 'bench password' } }));
  }
  const chat = await call(`${serverUrl}/chats`, {
    token: users[0]!.token,
    body: { title: 'Bench', participants: users.slice(1).map((u) => u.id), isPersonal: false },
  });
  const path = `/chats/${chat.id}/messages`;
  const root = await call<{ id: string }>(`${serverUrl}${path}`, { token: users[0]!.token, body: { localId: randomUUID(), text: 'root' } });
  return { serverUrl, prefix, users, path, rootId: root.id, reactions: 0 };
}

const latestSeq = async (s: MessagesSetup) =>
  (await call<Array<{ seq: number }>>(`${s.serverUrl}${s.path}?count=1`, { token: s.users[0]!.token }))[0]?.seq ?? 0;

/**
 * One round of `mode` on `setup` for `seconds`. `pid`: the server's process, to report its
 * CPU time per operation (user + system, the steadier figure on a shared machine).
 */
export async function runMessages(setup: MessagesSetup, seconds: number, mode: MessagesMode, pid?: number) {
  const { users, path, prefix } = setup;
  const pairs = SENDERS * EMOJI.length;
  let n = 0;
  const seqBefore = mode === 'reaction' ? 0 : await latestSeq(setup);
  const cpuBefore = pid === undefined ? 0 : cpuOf(pid);
  const result = await autocannon({
    url: setup.serverUrl,
    connections: SENDERS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path,
        setupRequest: (req) => {
          const i = n++;
          const sender = users[i % SENDERS]!;
          const headers = { 'content-type': 'application/json', authorization: `Bearer ${sender.token}` };
          if (mode === 'reaction') {
            const r = setup.reactions++;
            const emoji = EMOJI[Math.floor(r / SENDERS) % EMOJI.length]!;
            const method = Math.floor(r / pairs) % 2 === 0 ? 'PUT' : 'DELETE';
            return {
              ...req,
              method,
              headers: { authorization: headers.authorization },
              body: undefined,
              path: `${path}/${setup.rootId}/reactions/${encodeURIComponent(emoji)}`,
            };
          }
          const text = mode === 'reply-mention' ? `@${prefix}${(i + 1) % SENDERS} message ${i}` : `message ${i}`;
          const body = mode === 'reply-mention' ? { localId: randomUUID(), text, replyTo: setup.rootId } : { localId: randomUUID(), text };
          return { ...req, headers, body: JSON.stringify(body) };
        },
      },
    ],
  });
  const cpuUs = pid === undefined ? undefined : cpuOf(pid) - cpuBefore;
  // Sends count what the store holds; reactions the changes answered 200.
  const stored = mode === 'reaction' ? result['2xx'] : (await latestSeq(setup)) - seqBefore;
  const cpuUsPerOp = cpuUs === undefined || stored === 0 ? undefined : Math.round((cpuUs / stored) * 10) / 10;
  return { stored, perSecond: stored / seconds, cpuUsPerOp, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

/** Sets up senders with `prefix` and runs one round of `mode` (see `runMessages`). */
export async function messagesPerSecond(serverUrl: string, seconds: number, prefix = 'sender', mode: MessagesMode = 'plain', pid?: number) {
  return runMessages(await setUpMessages(serverUrl, prefix), seconds, mode, pid);
}
