/**
 * Messages persisted per second: 50 users in one group chat, 50 concurrent connections, each
 * request a new message (unique localId) from one of the senders. Counts what the store holds
 * afterwards (the newest seq), not only what the client saw.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { call } from '../lib/server.js';

export const SENDERS = 50;

export async function messagesPerSecond(serverUrl: string, seconds: number, prefix = 'sender') {
  const users: Array<{ id: number; token: string }> = [];
  for (let i = 0; i < SENDERS; i++) {
    users.push(await call(`${serverUrl}/users`, { body: { name: `Sender ${i}`, username: `${prefix}${i}`, password: 'bench password' } }));
  }
  const chat = await call(`${serverUrl}/chats`, {
    token: users[0]!.token,
    body: { title: 'Bench', participants: users.slice(1).map((u) => u.id), isPersonal: false },
  });
  const path = `/chats/${chat.id}/messages`;
  let n = 0;
  const result = await autocannon({
    url: serverUrl,
    connections: SENDERS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path,
        setupRequest: (req) => {
          const sender = users[n++ % SENDERS]!;
          return {
            ...req,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${sender.token}` },
            body: JSON.stringify({ localId: randomUUID(), text: `message ${n}` }),
          };
        },
      },
    ],
  });
  const [latest] = await call<Array<{ seq: number }>>(`${serverUrl}${path}?count=1`, { token: users[0]!.token });
  const stored = latest ? latest.seq : 0;
  return { stored, perSecond: stored / seconds, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}
