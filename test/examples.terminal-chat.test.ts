/**
 * examples/terminal-chat runs as its own process against a real server, through a TCP proxy
 * the test cuts: it logs in, lists the chats, shows the history, prints a live message, sends a
 * typed line, and after the connection drops it reconnects and prints what was sent meanwhile
 * (replayed from its cursor).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { clientServer, type ClientServer } from './client-helpers.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let s: ClientServer;
let proxy: TcpProxy;
before(async () => {
  s = await clientServer();
  proxy = await startTcpProxy('127.0.0.1', Number(new URL(s.url).port));
});
after(async () => {
  await proxy.close();
  await s.t.destroy();
});

test('the terminal chat client: log in, list, history, live, send, reconnect with replay', async () => {
  const ann = await s.user('term');
  const bob = await s.user('bob');
  const chat = await bob.createChat({ title: 'Terminal talk', participants: [ann.id], isPersonal: false });
  await bob.sendMessage(chat.id, { text: 'earlier' });

  const child = spawn(
    process.execPath,
    [
      fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url)),
      '--tsconfig',
      'examples/terminal-chat/tsconfig.json',
      'examples/terminal-chat/chat.ts',
      'Terminal talk',
    ],
    {
      cwd: ROOT,
      env: { ...process.env, PARLEY_URL: `http://127.0.0.1:${proxy.port}`, PARLEY_USERNAME: ann.username, PARLEY_PASSWORD: 'correct horse battery' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  const waiters: { pattern: RegExp; from: number; resolve: () => void }[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) if (w.pattern.test(line)) waiters.splice(waiters.indexOf(w), 1), w.resolve();
  });
  /** Resolves at the first line from now on (or already seen since `from`) that matches. */
  const line = (pattern: RegExp, from = lines.length) =>
    lines.slice(from).some((l) => pattern.test(l))
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          waiters.push({ pattern, from, resolve });
          child.once('exit', (code) => reject(new Error(`the example ended (${code}) before ${pattern}:\n${lines.join('\n')}\n${stderr}`)));
        });

  try {
    await line(/^connected$/, 0);
    assert.ok(
      lines.some((l) => /^\[1\] Terminal talk/.test(l)),
      'the chats are listed',
    );
    assert.ok(lines.includes('== Terminal talk'));
    assert.ok(
      lines.some((l) => l.endsWith(': earlier')),
      'the history is shown',
    );

    const live = line(/: live one$/);
    await bob.sendMessage(chat.id, { text: 'live one' });
    await live;

    const sent = line(/^> sent$/);
    child.stdin.write('hello from the terminal\n');
    await sent;
    assert.equal((await bob.history(chat.id, { count: 1 }))[0]?.text, 'hello from the terminal');

    const dropped = line(/^disconnected/);
    await proxy.cut();
    await dropped;
    await bob.sendMessage(chat.id, { text: 'while away' });
    const replayed = line(/: while away$/);
    const back = line(/^reconnected/);
    await proxy.restore();
    await back;
    await replayed;

    child.stdin.write('/quit\n');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, stderr);
  } finally {
    child.kill();
  }
});
