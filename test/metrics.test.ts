import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { type ConfigError, loadConfig } from '../src/config.js';
import { sendEvent } from '../src/realtime/send.js';
import { noopMetrics } from '../src/ports/metrics.js';
import { basic, bearer, client, problemOf, register, startApp, type TestApp } from './helpers.js';
import { metricValue } from './metrics-helpers.js';
import { connect, listen } from './ws-helpers.js';

const scrape = async (t: TestApp, headers: Record<string, string> = {}) => {
  const res = await t.app.inject({ url: '/metrics', headers });
  assert.equal(res.statusCode, 200, res.body);
  return res.body;
};

describe('GET /metrics', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp({ RATE_LIMITS: 'login_user=2/15m' });
  });
  after(() => t.destroy());

  it('serves the Prometheus text format with default Node metrics, event-loop delay included', async () => {
    const res = await t.app.inject('/metrics');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(res.body, /^# TYPE parley_http_requests_total counter$/m);
    assert.match(res.body, /^nodejs_eventloop_lag_p99_seconds /m);
    assert.match(res.body, /^process_resident_memory_bytes /m);
  });

  it('counts requests by route pattern and status, with their latency', async () => {
    const user = await register(t.app);
    const before = await scrape(t);
    const route = { method: 'GET', route: '/users/me' };
    const ok0 = metricValue(before, 'parley_http_requests_total', { ...route, status: '200' });
    const denied0 = metricValue(before, 'parley_http_requests_total', { ...route, status: '401' });
    for (let i = 0; i < 3; i++) assert.equal((await t.app.inject({ url: '/users/me', headers: bearer(user.token) })).statusCode, 200);
    assert.equal((await t.app.inject({ url: '/users/me' })).statusCode, 401);
    await t.app.inject({ url: `/users/${user.id}`, headers: bearer(user.token) });
    await t.app.inject({ url: `/no/such/${randomUUID()}` });

    const text = await scrape(t);
    assert.equal(metricValue(text, 'parley_http_requests_total', { ...route, status: '200' }), ok0 + 3);
    assert.equal(metricValue(text, 'parley_http_requests_total', { ...route, status: '401' }), denied0 + 1);
    assert.equal(metricValue(text, 'parley_http_request_duration_seconds_count', { ...route, status: '200' }), ok0 + 3);
    assert.equal(metricValue(text, 'parley_http_request_duration_seconds_bucket', { ...route, status: '200', le: '+Inf' }), ok0 + 3);
    assert.ok(metricValue(text, 'parley_http_request_duration_seconds_sum', { ...route, status: '200' }) > 0);
    // Buckets are cumulative: each at least the one before.
    const bounds = ['0.001', '0.01', '0.1', '1', '10', '+Inf'].map((le) =>
      metricValue(text, 'parley_http_request_duration_seconds_bucket', { ...route, status: '200', le }),
    );
    assert.deepEqual(
      bounds,
      [...bounds].sort((x, y) => x - y),
    );
    // The pattern, never the raw URL: ids and unknown paths do not become labels.
    assert.equal(metricValue(text, 'parley_http_requests_total', { method: 'GET', route: '/users/:id', status: '200' }), 1);
    assert.equal(metricValue(text, 'parley_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }), 1);
    assert.ok(!text.includes(`/users/${user.id}"`));
    assert.ok(!text.includes('/no/such'));
  });

  it('counts failed logins by family and rate-limit refusals by limit', async () => {
    const user = await register(t.app);
    const native = await t.app.inject({ method: 'POST', url: '/users/login', headers: basic(user.username, 'wrong password!') });
    assert.equal(native.statusCode, 401);
    const vapp = await t.app.inject({ method: 'POST', url: '/vapp/login', payload: { name: user.username, password: 'wrong password!' } });
    assert.equal(vapp.statusCode, 403);
    let text = await scrape(t);
    assert.equal(metricValue(text, 'parley_login_failures_total', { family: 'native' }), 1);
    assert.equal(metricValue(text, 'parley_login_failures_total', { family: 'vapp' }), 1);
    assert.equal(metricValue(text, 'parley_rate_limited_total', { bucket: 'login_user' }), 0);
    // The third attempt on this username passes the limit of 2.
    const rooms = await t.app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: user.username, secret: 'wrong password!' } });
    assert.equal(rooms.statusCode, 429);
    text = await scrape(t);
    assert.equal(metricValue(text, 'parley_rate_limited_total', { bucket: 'login_user' }), 1);
    const other = await register(t.app);
    await t.app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: other.username, secret: 'wrong password!' } });
    assert.equal(metricValue(await scrape(t), 'parley_login_failures_total', { family: 'rooms' }), 1);
  });

  it('times store writes and bus publishes', async () => {
    const [a, b] = [await register(t.app), await register(t.app)];
    const chat = (await client(t.app, a.token)('POST', '/chats', { participants: [b.id] })).json();
    const before = await scrape(t);
    const op = (text: string, name: string, operation: string) => metricValue(text, `${name}_count`, { operation });
    const sent = await client(t.app, a.token)('POST', `/chats/${chat.id}/messages`, { localId: randomUUID(), text: 'hi' });
    assert.equal(sent.statusCode, 200);
    const text = await scrape(t);
    assert.ok(op(text, 'parley_store_operation_seconds', 'messages.insert') > op(before, 'parley_store_operation_seconds', 'messages.insert'));
    assert.ok(op(text, 'parley_bus_operation_seconds', 'publish:chat.event') > op(before, 'parley_bus_operation_seconds', 'publish:chat.event'));
  });

  it('is documented in /openapi.json as a system route', async () => {
    const doc = (await t.app.inject('/openapi.json')).json();
    const get = doc.paths['/metrics']?.get;
    assert.ok(get, '/metrics missing from /openapi.json');
    assert.deepEqual(get.tags, ['system']);
    assert.ok(get.responses['200'].content['text/plain']);
  });
});

describe('metrics of sockets', () => {
  let t: TestApp;
  let url: string;
  before(async () => {
    t = await startApp();
    url = await listen(t);
  });
  after(() => t.destroy());

  it('gauges open native and room sockets and counts the events they get', async () => {
    const [a, b] = [await register(t.app), await register(t.app)];
    const chat = (await client(t.app, a.token)('POST', '/chats', { participants: [b.id] })).json();
    const native = await connect(`${url}/ws?token=${b.token}`);
    const room = await connect(`${url}/api/v1/rooms/metrics${process.pid}/messages/ws`);
    const poster = await connect(`${url}/api/v1/rooms/metrics${process.pid}/messages/ws`, [a.token]);
    let text = await scrape(t);
    assert.equal(metricValue(text, 'parley_open_sockets', { protocol: 'native' }), 1);
    assert.equal(metricValue(text, 'parley_open_sockets', { protocol: 'rooms' }), 2);

    await client(t.app, a.token)('POST', `/chats/${chat.id}/messages`, { localId: randomUUID(), text: 'hello' });
    await native.waitFor('message');
    poster.send({ text: 'in the room' });
    await room.until(() => room.frames.length > 0, 5000, 'a room message');
    await poster.until(() => poster.frames.length > 0, 5000, 'its own room message');
    text = await scrape(t);
    assert.equal(metricValue(text, 'parley_events_delivered_total', { protocol: 'native' }), 1);
    assert.equal(metricValue(text, 'parley_events_delivered_total', { protocol: 'rooms' }), 2);

    for (const s of [native, room, poster]) {
      s.close();
      await s.waitClosed();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    text = await scrape(t);
    assert.equal(metricValue(text, 'parley_open_sockets', { protocol: 'native' }), 0);
    assert.equal(metricValue(text, 'parley_open_sockets', { protocol: 'rooms' }), 0);
  });

  it('counts an event for a closed socket as dropped', () => {
    const dropped: string[] = [];
    const closed = { readyState: WebSocket.CLOSED } as WebSocket;
    const sent = sendEvent(closed, '{}', 1024, 'native', { ...noopMetrics, eventsDropped: (reason) => dropped.push(reason) });
    assert.equal(sent, false);
    assert.deepEqual(dropped, ['socket_closed']);
  });
});

describe('metrics configuration', () => {
  it('with METRICS_TOKEN, answers 401 without the right bearer token', async () => {
    const token = 'a-metrics-token-of-32-characters';
    const t = await startApp({ METRICS_TOKEN: token });
    try {
      problemOf(await t.app.inject('/metrics'), 401);
      const wrong = await t.app.inject({ url: '/metrics', headers: bearer('a-metrics-token-of-32-characterX') });
      assert.equal(problemOf(wrong, 401).status, 401);
      assert.equal(wrong.headers['www-authenticate'], 'Bearer');
      problemOf(await t.app.inject({ url: '/metrics', headers: { authorization: `Basic ${token}` } }), 401);
      problemOf(await t.app.inject({ url: '/metrics', headers: bearer(token.slice(0, 10)) }), 401);
      assert.match(await scrape(t, bearer(token)), /parley_http_requests_total/);
      // The token guards /metrics only.
      assert.equal((await t.app.inject('/healthz')).statusCode, 200);
    } finally {
      await t.destroy();
    }
  });

  it('with METRICS=off, has no /metrics route', async () => {
    const t = await startApp({ METRICS: 'off' });
    try {
      // No route: the native 404 (the socket route `/<DeviceSession.id>` takes only session ids).
      const res = await t.app.inject('/metrics');
      assert.equal(problemOf(res, 404).type, 'urn:parley:problem:not_found');
      assert.ok(!res.body.includes('parley_'));
      assert.equal((await t.app.inject('/healthz')).statusCode, 200);
    } finally {
      await t.destroy();
    }
  });

  it("keeps each app's counters apart (a Registry per app)", async () => {
    const [one, two] = [await startApp(), await startApp()];
    try {
      for (let i = 0; i < 2; i++) await one.app.inject('/healthz');
      const route = { method: 'GET', route: '/healthz', status: '200' };
      assert.equal(metricValue(await scrape(one), 'parley_http_requests_total', route), 2);
      assert.equal(metricValue(await scrape(two), 'parley_http_requests_total', route), 0);
    } finally {
      await Promise.all([one.destroy(), two.destroy()]);
    }
  });
});

describe('metrics settings', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env, '/srv');
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };
  it('default to on without a token, and refuse bad values with a clear line', () => {
    assert.deepEqual({ ...loadConfig({}, '/srv').metrics }, { enabled: true, token: undefined });
    assert.equal(loadConfig({ METRICS: 'off' }, '/srv').metrics.enabled, false);
    assert.match(problems({ METRICS: 'yes' }).join(), /^METRICS: expected on or off, got "yes"/);
    assert.match(problems({ METRICS_TOKEN: 'short' }).join(), /^METRICS_TOKEN: expected 16 to 512 visible ASCII characters/);
    assert.match(problems({ METRICS_TOKEN: 'has a space in it, 16+ chars' }).join(), /^METRICS_TOKEN/);
  });
});
