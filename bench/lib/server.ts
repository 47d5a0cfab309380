/**
 * Starts Parley as a separate process for a benchmark, on 127.0.0.1 and a free port, with a
 * fresh DATA_DIR; resolves once it listens. Runs the built server (`dist/server.js`) when
 * present, else the TypeScript source through tsx. The embedded default unless `env` names
 * a `DATABASE_URL` and/or `REDIS_URL` (the shell's own are not inherited, so a benchmark
 * measures what it says).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface BenchServer {
  url: string;
  /** From spawning the process to its first 200 on /healthz. */
  startupMs: number;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `cwd`: the checkout whose server runs (another checkout's, for an A/B of two commits). */
export async function startParley(env: Record<string, string> = {}, cwd = process.cwd()): Promise<BenchServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-'));
  const port = await freePort();
  const spawnedAt = performance.now();
  const built = existsSync(path.join(cwd, 'dist/server.js'));
  // PARLEY_BENCH_PROFILE=dir writes a V8 CPU profile of the server into dir.
  const profile = process.env.PARLEY_BENCH_PROFILE
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${process.env.PARLEY_BENCH_PROFILE}`,
        ...(process.env.PARLEY_BENCH_PROFILE_INTERVAL ? [`--cpu-prof-interval=${process.env.PARLEY_BENCH_PROFILE_INTERVAL}`] : []),
      ]
    : [];
  const args = [...profile, ...(built ? ['dist/server.js'] : ['--import', 'tsx', 'src/server.ts'])];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      DATABASE_URL: '',
      REDIS_URL: '',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      RATE_LIMITS: 'off',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
    cwd,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child);
  const startupMs = performance.now() - spawnedAt;
  return {
    url,
    startupMs,
    pid: child.pid!,
    child,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Polls `/healthz` until it answers (30 s at most). */
export async function waitForHealth(url: string, child?: ChildProcess): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < 3000; i++) {
    if (child?.exitCode !== null && child?.exitCode !== undefined) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${url} did not become healthy`);
}

/** JSON over fetch, throwing on a non-2xx answer. */
export async function call<T = any>(url: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A line describing this machine, for results files. */
export async function machine(): Promise<string> {
  const os = await import('node:os');
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}
