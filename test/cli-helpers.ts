/**
 * Runs the `parley` CLI as a child process, as an operator would. The sources are compiled
 * once per test file with esbuild (no type check; `npm run typecheck` does that) into
 * `node_modules/.cache/`, where the packages resolve: through tsx every run would take
 * seconds of loading on a busy machine.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { after, before } from 'node:test';
import type { ParleyApp } from '../src/app.js';
import { basic, bearer, FAST_ARGON2, startApp, tempDir, type TestApp } from './helpers.js';
import { createTestSchema, REDIS_URL } from './services.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let compiled: Promise<string> | undefined;
const outputs: string[] = [];
process.on('exit', () => {
  for (const dir of outputs) rmSync(dir, { recursive: true, force: true });
});

/** The compiled `cli/parley.js`, built on first use. */
function compiledCli(): Promise<string> {
  compiled ??= (async () => {
    const outdir = path.resolve('node_modules/.cache/parley-cli-test', `${process.pid}-${randomBytes(4).toString('hex')}`);
    outputs.push(outdir);
    const entryPoints = readdirSync('src', { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => path.join('src', f));
    await build({ entryPoints, outdir, outbase: 'src', format: 'esm', platform: 'node', target: 'node20', logLevel: 'error' });
    return path.join(outdir, 'cli', 'parley.js');
  })();
  return compiled;
}

/**
 * `parley <args>` with only `env` (and PATH/HOME) in its environment, so nothing of the test
 * process's own configuration leaks in; `stdin` is written and closed.
 */
export async function parley(args: string[], env: Record<string, string>, stdin = ''): Promise<CliResult> {
  const entry = await compiledCli();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'silent', ...FAST_ARGON2, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

/** Retries `check` until it passes (a cluster bus delivers a moment after the CLI exits). */
export async function eventually(check: () => Promise<void>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * An app for CLI tests and the environment that points the CLI at its store and bus: the
 * same DATA_DIR and, per PARLEY_TEST_STORE / PARLEY_TEST_BUS, the same PostgreSQL schema and
 * Redis prefix (the helpers keep theirs private, so they are chosen here).
 */
export async function appForCli(): Promise<{ t: TestApp; env: Record<string, string> }> {
  const dataDir = tempDir('parley-cli-');
  const env: Record<string, string> = { DATA_DIR: dataDir };
  if (process.env.PARLEY_TEST_STORE === 'postgres') env.DATABASE_URL = (await createTestSchema()).url;
  if (process.env.PARLEY_TEST_BUS === 'redis') Object.assign(env, { REDIS_URL, REDIS_PREFIX: `parley-test-${path.basename(dataDir)}:` });
  return { t: await startApp(env, { dataDir }), env };
}

/** A failure is one line on stderr, status 1, and no stack trace. */
export function assertFailed(result: CliResult, message: RegExp) {
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, message);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
}

/**
 * Inside a `describe`: an app for the CLI started before its tests and destroyed after them,
 * with the calls CLI tests make (`cli` runs `parley` against the app's store and bus).
 */
export function useCliApp() {
  let opened: { t: TestApp; env: Record<string, string> } | undefined;
  const fixture = () => opened ?? assert.fail('the CLI app is not started yet');
  before(async () => {
    opened = await appForCli();
  });
  after(() => fixture().t.destroy());
  return {
    get app(): ParleyApp {
      return fixture().t.app;
    },
    get testApp(): TestApp {
      return fixture().t;
    },
    /** What points the CLI at the app's store and bus. */
    get env(): Record<string, string> {
      return fixture().env;
    },
    cli: (args: string[], stdin = '') => parley(args, fixture().env, stdin),
    login: (username: string, password: string) => fixture().t.app.inject({ method: 'POST', url: '/users/login', headers: basic(username, password) }),
    me: (token: string) => fixture().t.app.inject({ url: '/users/me', headers: bearer(token) }),
  };
}
