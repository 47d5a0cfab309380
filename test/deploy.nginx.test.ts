// @one-pass: a server process of its own behind nginx; the PostgreSQL + Redis pass would run it again unchanged.
/**
 * deploy/nginx.conf in front of a real Parley process: HTTP, a native WebSocket and the
 * client address (X-Forwarded-For, TRUST_PROXY=127.0.0.1) through a real nginx. The test
 * client connects from 127.0.0.2/127.0.0.3 (Linux routes all of 127/8 to lo), so the
 * address nginx forwards differs from nginx's own. Skipped when nginx is not installed,
 * unless PARLEY_REQUIRE_SERVICES=1 (CI), where that is a failure.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from './helpers.js';
import { freePort, registerOn, startServer, type ServerProcess } from './server-process.js';
import { connect } from './ws-helpers.js';

const NGINX = [process.env.NGINX_BIN, 'nginx', '/usr/sbin/nginx'].find((bin) => bin && !spawnSync(bin, ['-v']).error);
const skip = NGINX ? false : 'nginx is not installed (apt-get install nginx-light); deploy/nginx.conf is not exercised';
if (!NGINX && process.env.PARLEY_REQUIRE_SERVICES === '1') {
  throw new Error(`${skip}; PARLEY_REQUIRE_SERVICES=1 makes this a failure`);
}

/** deploy/nginx.conf aimed at `upstreamPort`, listening on 127.0.0.1:`listenPort`; each edit must apply. */
function renderNginxSite(example: string, upstreamPort: number, listenPort: number): string {
  const edits: Array<[RegExp, string]> = [
    [/server 127\.0\.0\.1:3000;/, `server 127.0.0.1:${upstreamPort};`],
    [/listen 80;/, `listen 127.0.0.1:${listenPort};`],
  ];
  return edits.reduce((text, [pattern, replacement]) => {
    assert.match(text, pattern, `deploy/nginx.conf no longer has ${pattern}`);
    return text.replace(pattern, replacement);
  }, example);
}

/** A main nginx.conf that keeps every file nginx writes in `dir` and includes the site. */
function mainConfig(dir: string, site: string): string {
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  return `${user}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${site};
}
`;
}

interface Answer {
  status: number;
  body: any;
  headers: http.IncomingHttpHeaders;
}

/** HTTP from a chosen local address (fetch cannot pick one). */
function request(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; from?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = init.body === undefined ? undefined : JSON.stringify(init.body);
    const req = http.request(
      url,
      {
        method: init.method ?? (payload ? 'POST' : 'GET'),
        localAddress: init.from ?? '127.0.0.2',
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...init.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('deploy/nginx.conf in front of Parley', { skip }, () => {
  let server: ServerProcess;
  let nginx: ChildProcess;
  let dir: string;
  let dataDir: string;
  let base: string;
  let nginxLog = '';

  before(async () => {
    dataDir = tempDir('parley-nginx-data-');
    server = await startServer({ DATA_DIR: dataDir, TRUST_PROXY: '127.0.0.1', RATE_LIMITS: 'login_ip=2/15m', WS_PING_INTERVAL_SECONDS: '1' });
    dir = tempDir('parley-nginx-');
    for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, sub));
    const port = await freePort();
    const upstreamPort = Number(new URL(server.url).port);
    writeFileSync(path.join(dir, 'parley.conf'), renderNginxSite(readFileSync('deploy/nginx.conf', 'utf8'), upstreamPort, port));
    writeFileSync(path.join(dir, 'nginx.conf'), mainConfig(dir, path.join(dir, 'parley.conf')));
    const test = spawnSync(NGINX!, ['-t', '-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')], { encoding: 'utf8' });
    assert.equal(test.status, 0, `nginx -t refused the config: ${test.stderr}`);
    nginx = spawn(NGINX!, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    nginx.stderr!.on('data', (data: Buffer) => (nginxLog += data.toString()));
    base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const answer = await request(`${base}/healthz`).catch(() => undefined);
      if (answer?.status === 200) break;
      if (nginx.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not come up: ${nginxLog}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  after(async () => {
    if (nginx && nginx.exitCode === null) {
      const gone = new Promise((resolve) => nginx.once('exit', resolve));
      nginx.kill('SIGQUIT');
      await gone;
    }
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('passes HTTP through, with the request id and problem documents intact', async () => {
    const health = await request(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
    // nginx's $request_id reaches Parley, which takes it as the request id and echoes it.
    assert.match(String(health.headers['x-request-id']), /^[0-9a-f]{32}$/);
    const denied = await request(`${base}/users/me`);
    assert.equal(denied.status, 401);
    assert.equal(denied.body.type, 'urn:parley:problem:unauthenticated');
  });

  it('records the client address nginx forwards, never a forged X-Forwarded-For', async () => {
    const name = `nginx${process.pid}${randomUUID().slice(0, 8)}`;
    const registered = await request(`${base}/users`, {
      from: '127.0.0.2',
      headers: { 'x-forwarded-for': '198.51.100.7' },
      body: { name: 'Via nginx', username: name, password: 'correct horse battery' },
    });
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    // nginx appends its peer (127.0.0.2); the trusted hop is nginx (127.0.0.1) alone, so the forged address stays unbelieved.
    assert.equal(registered.body.deviceSessions[0].ipAddress, '127.0.0.2');
    const direct = await request(`${server.url}/users/login`, {
      from: '127.0.0.1',
      body: { username: name, password: 'correct horse battery' },
      headers: { 'x-forwarded-for': '127.0.0.9' },
    });
    // Straight to Parley from the trusted address: its header is believed (that is what trusting means).
    assert.equal(direct.body.deviceSessions.find((s: { accessToken?: string }) => s.accessToken).ipAddress, '127.0.0.9');
  });

  it('limits failed logins per client address behind the proxy', async () => {
    const fail = (from: string) =>
      request(`${base}/users/login`, { from, body: { username: `nobody${randomUUID().slice(0, 8)}`, password: 'wrong password!' } });
    assert.equal((await fail('127.0.0.3')).status, 401);
    assert.equal((await fail('127.0.0.3')).status, 401);
    const limited = await fail('127.0.0.3');
    assert.equal(limited.status, 429);
    // Another client behind the same nginx is not held back by 127.0.0.3's failures.
    assert.equal((await fail('127.0.0.4')).status, 401);
  });

  it('upgrades a native WebSocket that receives events and survives heartbeats', async () => {
    const [a, b] = [await registerOn(server.url, 'nginxws'), await registerOn(server.url, 'nginxws')];
    const chat = await request(`${base}/chats`, { body: { participants: [b.id] }, headers: { authorization: `Bearer ${a.token}` } });
    assert.equal(chat.status, 200, JSON.stringify(chat.body));
    const socket = await connect(`${base.replace('http', 'ws')}/ws?token=${b.token}`, undefined, { localAddress: '127.0.0.2' });
    try {
      const sent = await request(`${base}/chats/${chat.body.id}/messages`, {
        body: { localId: randomUUID(), text: 'through nginx' },
        headers: { authorization: `Bearer ${a.token}` },
      });
      assert.equal(sent.status, 200);
      const [frame] = await socket.waitFor('message');
      assert.equal(frame!.payload.text, 'through nginx');
      // The server pings every second here: through nginx the pongs come back, so it stays open.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      assert.equal(socket.closed, undefined);
      assert.equal(socket.ws.readyState, 1);
    } finally {
      socket.close();
    }
  });
});
