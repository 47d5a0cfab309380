// @one-pass: server processes of its own; the PostgreSQL + Redis pass would run it again unchanged.
/**
 * The server as an operator runs it: a separate process on a real port, spoken to over
 * HTTP with fetch, stopped with SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FAST_ARGON2, tempDir } from './helpers.js';
import { connect } from './ws-helpers.js';
import { createTestSchema, postgresService, redisService } from './services.js';

// The scale-out services are chosen per test, never inherited from the caller's shell.
const NO_SERVICES = { DATABASE_URL: '', REDIS_URL: '' };

interface Running {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

function startServer(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, ...NO_SERVICES, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...FAST_ARGON2, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}${err}`)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const match = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, stderr: () => err });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out}${err}`));
    });
  });
}

const services = await Promise.all([postgresService(), redisService()]);
const skipScaleOut = services.find((s) => s.skip)?.skip ?? false;

const exitOf = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

describe('the server process', () => {
  it('creates DATA_DIR, serves HTTP, and exits cleanly on SIGTERM', async () => {
    const dataDir = path.join(tempDir(), 'nested', 'data');
    const server = await startServer({ DATA_DIR: dataDir });
    try {
      assert.ok(existsSync(path.join(dataDir, 'parley.db')));
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200);
      const registered = await fetch(`${server.url}/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Proc', username: 'process_user', password: 'password123' }),
      });
      assert.equal(registered.status, 200);
      const { token } = (await registered.json()) as { token: string };
      const me = await fetch(`${server.url}/users/me`, { headers: { 'x-access-token': token } });
      assert.equal(((await me.json()) as { username: string }).username, 'process_user');
      // A socket held through SIGTERM is closed with 1001 (going away), and the process exits 0.
      const socket = await connect(`${server.url.replace('http', 'ws')}/ws`, [token]);
      const exited = exitOf(server.child);
      server.child.kill('SIGTERM');
      assert.equal((await socket.waitClosed()).code, 1001);
      assert.equal(await exited, 0, server.stderr());
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('refuses to start on bad configuration, naming each bad variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, ...NO_SERVICES, PORT: 'abc', LOG_LEVEL: 'shouting', DATA_DIR: tempDir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    assert.equal(await exitOf(child), 1);
    assert.match(err, /PORT: expected a whole number/);
    assert.match(err, /LOG_LEVEL: expected one of/);
  });

  it('runs on PostgreSQL and Redis, and exits cleanly on SIGTERM', { skip: skipScaleOut }, async () => {
    const schema = await createTestSchema();
    const server = await startServer({ DATA_DIR: tempDir(), DATABASE_URL: schema.url, REDIS_URL: services[1]!.url, REDIS_PREFIX: 'parley-process-test:' });
    try {
      const ready = await fetch(`${server.url}/readyz`);
      assert.deepEqual(await ready.json(), { status: 'ok', checks: { store: 'ok', bus: 'ok' } });
      const registered = await fetch(`${server.url}/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Proc', username: 'pg_process_user', password: 'password123' }),
      });
      assert.equal(registered.status, 200);
    } finally {
      const exited = exitOf(server.child);
      server.child.kill('SIGTERM');
      assert.equal(await exited, 0, server.stderr());
    }
  });
});
