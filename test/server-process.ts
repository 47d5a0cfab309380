/**
 * The real server as its own process (`node --import tsx src/server.ts`), on 127.0.0.1 and a
 * free port, for tests that need what `inject` cannot give: several nodes, `kill -9`, restarts
 * on the same data. Spoken to over HTTP (fetch) and WebSocket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../bench/lib/server.js';
import { FAST_ARGON2 } from './helpers.js';

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  child: ChildProcess;
  /** The last few KB of the server's stdout and stderr, for failure messages. */
  output(): string;
  /** SIGTERM (graceful shutdown); resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash: no shutdown hook runs. Resolves once the process is gone. */
  kill(): Promise<void>;
}

/** Children still running, killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A port nobody listens on right now (the benchmarks' helper). */
export { freePort };

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

/** The server from its sources, through tsx: what the tests run unless they ask for the build. */
export const FROM_SOURCE = ['--import', 'tsx', 'src/server.ts'];
/** The built server, as `npm start` runs it (the bundle `npm run build` makes). */
export const BUILT = ['dist/server.js'];

/**
 * Starts the server with `env` over test defaults (no PostgreSQL or Redis unless given, fast
 * argon2, no rate limits, warnings only) and resolves once `/healthz` answers.
 */
export async function startServer(env: Record<string, string>, timeoutMs = 30_000, entry = FROM_SOURCE): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, entry, {
    env: {
      ...process.env,
      DATABASE_URL: '',
      REDIS_URL: '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      RATE_LIMITS: 'off',
      ...FAST_ARGON2,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const keep = (data: Buffer) => (output = (output + data.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    child,
    output: () => output,
    async stop() {
      const done = exited(child);
      child.kill('SIGTERM');
      return done;
    },
    async kill() {
      const done = exited(child);
      child.kill('SIGKILL');
      await done;
    },
  };
  if (await untilHealthy(url, child, () => output, timeoutMs)) return server;
  await server.kill();
  throw new Error(`the server did not answer /healthz within ${timeoutMs} ms: ${output}`);
}

export interface Answer<T = any> {
  status: number;
  body: T;
}

/** JSON over fetch: `{status, body}` (body parsed when it is JSON). */
export async function http<T = any>(url: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<Answer<T>> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T };
}

/** Every message of a chat, oldest first, through the history route of the server at `url` (200 a page). */
export async function chatHistory<T extends { id: number }>(url: string, token: string, chatId: string): Promise<T[]> {
  const all: T[] = [];
  let before = '';
  for (let page = 0; page < 1000; page++) {
    const res = await http<T[]>(`${url}/chats/${chatId}/messages?count=200${before}`, { token });
    if (res.status !== 200) throw new Error(`history answered ${res.status}: ${JSON.stringify(res.body)}`);
    all.push(...res.body);
    if (res.body.length < 200) return all.reverse();
    before = `&before=${res.body.at(-1)!.id}`;
  }
  throw new Error('history did not end');
}

export interface RemoteUser {
  id: number;
  username: string;
  password: string;
  token: string;
  sessionId: string;
}

let counter = 0;

/** Registers a new user on the server at `url`. */
export async function registerOn(url: string, prefix = 'proc'): Promise<RemoteUser> {
  const username = `${prefix}${process.pid}x${++counter}`;
  const password = 'correct horse battery';
  const res = await http(`${url}/users`, { body: { name: `Name ${username}`, username, password } });
  if (res.status !== 200) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, username, password, token: res.body.token, sessionId: res.body.deviceSessions[0].id };
}

/**
 * Polls `url`/healthz until it answers 200 (true) or `timeoutMs` passes (false); throws if the
 * process exits first, with what it wrote.
 */
export async function untilHealthy(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}: ${output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
