/**
 * Credentials never reach the logs (issue 24, item 7): a token in the query is masked in any
 * spelling of its name (the query parser decodes names, so `?%74oken=` authenticates as
 * `?token=` does), and neither `Authorization` nor `x-access-token` is ever logged. The app
 * logs at info through the server's own log stream, into a stream this test reads.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogStream } from '../src/logging/log-stream.js';
import { redactUrl } from '../src/logging/request-log.js';
import { register, startApp, type Registered, type TestApp } from './helpers.js';

describe('logs never hold a credential', () => {
  let t: TestApp;
  let user: Registered;
  let logged = '';
  before(async () => {
    const sink = new PassThrough();
    sink.on('data', (chunk) => (logged += chunk));
    t = await startApp({ LOG_LEVEL: 'info' }, { logger: undefined, logStream: createLogStream({ sink }) });
    user = await register(t.app, { password: 'correct horse battery' });
  });
  after(() => t.destroy());

  const me = (query: string, headers: Record<string, string> = {}) => t.app.inject({ url: `/users/me${query}`, headers });

  it('masks ?%74oken= (which authenticates) and every other spelling of a token parameter', async () => {
    const encoded = await me(`?%74oken=${user.token}`);
    assert.equal(encoded.statusCode, 200, 'a percent-encoded name is still the token transport');
    for (const query of [
      `?token=${user.token}`,
      `?TOKEN=${user.token}`,
      `?t%6Fken=${user.token}`,
      `?%2574oken=${user.token}`,
      `?x=1&%74oken=${user.token}&y=2`,
      `?access_token=${user.token}`,
    ]) {
      await me(query);
    }
    assert.ok(logged.includes('"url":"/users/me?%74oken=***"'), logged.slice(-2000));
    assert.ok(logged.includes('"url":"/users/me?x=1&%74oken=***&y=2"'), 'other parameters stay as they were');
    assert.ok(!logged.includes(user.token), 'a token was logged');
  });

  it('never logs the Authorization or x-access-token header, nor Basic credentials', async () => {
    assert.equal((await me('', { authorization: `Bearer ${user.token}` })).statusCode, 200);
    assert.equal((await me('', { 'x-access-token': user.token })).statusCode, 200);
    const basic = Buffer.from(`${user.username}:correct horse battery`).toString('base64');
    await t.app.inject({
      method: 'POST',
      url: '/users/login',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
      payload: '{}',
    });
    assert.ok(logged.includes('"msg":"incoming request"'), 'requests are logged at all');
    for (const secret of [user.token, basic, 'correct horse battery']) assert.ok(!logged.includes(secret), `${secret.slice(0, 12)}… was logged`);
  });
});

describe('redactUrl', () => {
  it('masks credential parameters by their decoded name and leaves the rest alone', () => {
    assert.equal(redactUrl('/ws?since=4&token=abc'), '/ws?since=4&token=***');
    assert.equal(redactUrl('/ws?%74%6F%6B%65%6E=abc'), '/ws?%74%6F%6B%65%6E=***');
    assert.equal(redactUrl('/login?password=hunter2&next=%2F'), '/login?password=***&next=%2F');
    assert.equal(redactUrl('/x?to%ken=abc'), '/x?to%ken=***', 'a malformed escape is masked too');
    assert.equal(redactUrl('/chats?count=20&before=9'), '/chats?count=20&before=9');
    assert.equal(redactUrl('/plain'), '/plain');
  });
});
