/** The client library against a real app listening on 127.0.0.1 (Node 20: `ws` as WebSocket). */
import { WebSocket } from 'ws';
import { ParleyClient, type ParleySocket, type SocketEvents } from '../client/src/index.js';
import { startApp, uniqueName, type TestApp } from './helpers.js';
import { listen } from './ws-helpers.js';

export interface ClientServer {
  t: TestApp;
  url: string;
  /** A new client on `url` (default the server's), registered as a fresh user. */
  user(prefix?: string, url?: string): Promise<ParleyClient & { id: number; username: string }>;
}

/** An app on a real port, and a way to make registered clients for it. */
export async function clientServer(env: Record<string, string> = {}): Promise<ClientServer> {
  const t = await startApp(env);
  const url = (await listen(t)).replace(/^ws/, 'http');
  return {
    t,
    url,
    async user(prefix = 'cl', base = url) {
      const client = new ParleyClient({ baseUrl: base, WebSocket });
      const username = uniqueName(prefix);
      const me = await client.register({ name: `Name ${username}`, username, password: 'correct horse battery' });
      return Object.assign(client, { id: me.id, username });
    },
  };
}

/** Collects one event's payloads from a socket. */
export function collect<K extends keyof SocketEvents>(socket: ParleySocket, event: K): SocketEvents[K][] {
  const seen: SocketEvents[K][] = [];
  socket.on(event, (payload) => seen.push(payload));
  return seen;
}

/** Resolves when `check` holds, polling; rejects after `ms`. */
export async function until(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
