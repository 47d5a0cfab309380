/** Socket scenarios: room fan-out against a bare ws broadcast server, and idle memory per socket. */
import WebSocket from 'ws';
import { rssOf } from '../lib/rss.js';

export const READERS = 200;

function open(url: string, protocols?: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/**
 * One round: READERS join, one writer sends `messages` (at most 50 in flight, as a client
 * under the server's per-socket frame bound would); time until every reader has the last.
 */
export async function fanOut(readerUrl: string, writerUrl: string, messages: number, writerProtocols?: string[]) {
  const readers = await Promise.all(Array.from({ length: READERS }, () => open(readerUrl)));
  const writer = await open(writerUrl, writerProtocols);
  const last = `"m${messages - 1}"`;
  let done = 0;
  let frames = 0;
  const finished = new Promise<void>((resolve) => {
    for (const r of readers) {
      r.on('message', (data) => {
        frames++;
        if (String(data).includes(last) && ++done === READERS) resolve();
      });
    }
  });
  const WINDOW = 50;
  let sent = 0;
  let echoed = 0;
  const pump = () => {
    while (sent < messages && sent - echoed < WINDOW) writer.send(JSON.stringify({ text: `m${sent++}` }));
  };
  writer.on('message', () => {
    echoed++;
    pump();
  });
  const started = performance.now();
  pump();
  await Promise.race([finished, new Promise((_, reject) => setTimeout(() => reject(new Error('fan-out round timed out')), 120_000))]);
  const seconds = (performance.now() - started) / 1000;
  for (const s of [...readers, writer]) s.terminate();
  return { messagesPerSecond: messages / seconds, deliveriesPerSecond: frames / seconds };
}

/** Opens `count` native sockets spread over `tokens`; the server's RSS growth per socket. */
export async function idleMemory(wsUrl: string, pid: number, tokens: string[], count: number) {
  const before = rssOf(pid);
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 200) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(200, count - i) }, (_, j) => open(`${wsUrl}/ws`, [tokens[(i + j) % tokens.length]!])))));
  }
  await new Promise((r) => setTimeout(r, 3000));
  const after = rssOf(pid);
  for (const s of sockets) s.terminate();
  await new Promise((r) => setTimeout(r, 1000));
  return { before, after, perSocket: (after - before) / count };
}

/** Logs `users` users in from `devices` devices each; one token per device session. */
export async function sessionTokens(serverUrl: string, users: number, devices: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let u = 0; u < users; u++) {
    const reg = await fetch(`${serverUrl}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Idle ${u}`, username: `idle${u}`, password: 'bench password' }),
    });
    tokens.push(((await reg.json()) as { token: string }).token);
    for (let d = 1; d < devices; d++) {
      const login = await fetch(`${serverUrl}/users/login`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`idle${u}:bench password`).toString('base64')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ deviceInfo: { id: `dev-${d}` } }),
      });
      tokens.push(((await login.json()) as { token: string }).token);
    }
  }
  return tokens;
}
