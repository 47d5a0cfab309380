// @one-pass: no store; the PostgreSQL + Redis pass would run it again unchanged.
/**
 * The last resorts of shutdown, each in a process of its own: the watchdog process kills a
 * process whose main thread is stuck (no timer of its own could), and leaves quietly when the
 * process exits first; past the grace period the process exits 1, and 0 when close finishes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

/** Runs `code` (an ES module, through tsx, from the checkout root); resolves with how it ended and what it printed. */
function run(code: string, onSpawn?: (child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  onSpawn?.(child);
  const began = Date.now();
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; ms: number }>((resolve) => {
    const late = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code, signal) => {
      clearTimeout(late);
      resolve({ code, signal, out, ms: Date.now() - began });
    });
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('shutdown watchdog', () => {
  it('SIGKILLs a process whose main thread is stuck (blocked as in a write to a full pipe)', async () => {
    const ended = await run(`
      import { startWatchdog } from './src/shutdown/watchdog.ts';
      startWatchdog(500);
      console.log('stuck');
      // The main thread waits forever: no timer, no worker message can run here.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    `);
    assert.equal(ended.signal, 'SIGKILL', ended.out);
    assert.match(ended.out, /stuck/);
  });

  it('leaves at once when the process exits first, and never keeps it running', async () => {
    const ended = await run(`
      import { startWatchdog } from './src/shutdown/watchdog.ts';
      const { pid } = startWatchdog(60_000);
      console.log('watchdog', pid);
    `);
    assert.equal(ended.code, 0, ended.out);
    // Exited by itself, long before the watchdog's 60 s.
    assert.ok(ended.ms < 15_000, `took ${ended.ms} ms`);
    const pid = Number(/watchdog (\d+)/.exec(ended.out)?.[1]);
    assert.ok(pid > 0, ended.out);
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(alive(pid), false, 'the watchdog outlived the process it watched');
  });
});

describe('graceful shutdown', () => {
  const script = (close: string) => `
    import pino from 'pino';
    import { handleShutdown } from './src/shutdown/graceful.ts';
    handleShutdown({ close: ${close}, log: pino(), graceMs: 500, watchdogMarginMs: 5000 });
    setInterval(() => {}, 1000);
    console.log('ready');
  `;
  const signalWhenReady = (child: ReturnType<typeof spawn>) =>
    child.stdout!.on('data', (d) => {
      if (String(d).includes('ready')) child.kill('SIGTERM');
    });

  it('exits 0 once close finishes', async () => {
    const ended = await run(script('async () => {}'), signalWhenReady);
    assert.equal(ended.code, 0, ended.out);
    assert.match(ended.out, /"msg":"shut down"/);
  });

  it('exits 1 past the grace period when close never settles', async () => {
    const ended = await run(script('() => new Promise(() => {})'), signalWhenReady);
    assert.equal(ended.code, 1, ended.out);
    assert.match(ended.out, /passed its grace period/);
  });

  it('exits 1 when close fails', async () => {
    const ended = await run(script("async () => { throw new Error('the store would not close'); }"), signalWhenReady);
    assert.equal(ended.code, 1, ended.out);
    assert.match(ended.out, /shutdown failed/);
  });
});

describe('how the server is run', () => {
  it('npm start, the container and the systemd unit all run node dist/server.js, and the unit waits past the watchdog', () => {
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
    assert.equal(scripts.start, 'node dist/server.js');
    assert.match(readFileSync('deploy/Dockerfile', 'utf8'), /^CMD \["node", "dist\/server\.js"\]$/m);
    const unit = readFileSync('deploy/parley.service', 'utf8');
    const setting = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(unit)?.[1]?.trim();
    assert.match(setting('ExecStart') ?? '', /^\/usr\/bin\/node \S+\/dist\/server\.js$/);
    assert.equal(setting('KillSignal'), 'SIGTERM');
    // SIGTERM to the server alone: the watchdog it starts must not be stopped with it.
    assert.equal(setting('KillMode'), 'mixed');
    // Grace (10 s) + watchdog margin (2 s) < TimeoutStopSec: systemd's SIGKILL is never what ends a shutdown.
    assert.ok(Number(setting('TimeoutStopSec')) > 12, `TimeoutStopSec=${setting('TimeoutStopSec')}`);
  });
});
