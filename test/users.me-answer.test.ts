/**
 * GET /users/me's remembered answer (src/api/native/answer-memo.ts): reused while nothing it
 * shows has changed, and never once something has: profile, sessions, photos, lastSeen.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnswerMemo } from '../src/api/native/answer-memo.js';
import { basic, bearer, register, startApp } from './helpers.js';
import { makePng, upload } from './media-helpers.js';

describe('AnswerMemo', () => {
  it('makes an answer once while every input is the same value, again when one differs', () => {
    const memo = new AnswerMemo<object>();
    const key = {};
    const record = Object.freeze({ id: 'a' });
    let made = 0;
    const make = () => `answer ${++made}`;
    assert.equal(memo.get(key, ['x', 1, record], make), 'answer 1');
    assert.equal(memo.get(key, ['x', 1, record], make), 'answer 1');
    assert.equal(memo.get(key, ['x', 1, { id: 'a' }], make), 'answer 2', 'an equal but new record is a change');
    assert.equal(memo.get(key, ['x', 1, { id: 'a' }, record], make), 'answer 3', 'one more input is a change');
    assert.equal(memo.get({}, ['x', 1, record], make), 'answer 4', 'another key has its own answer');
  });
});

describe('GET /users/me, remembered', () => {
  it('shows every change at once: name, a new session, a logout, a photo, lastSeen', async () => {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const t = await startApp({}, { clock: { now: () => now } });
    const user = await register(t.app);
    const me = async (token = user.token) => {
      const res = await t.app.inject({ url: '/users/me', headers: bearer(token) });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^application\/json; charset=utf-8/);
      return res.json();
    };
    const first = await me();
    assert.deepEqual(await me(), first);

    await t.app.inject({ method: 'PUT', url: '/users/me', headers: bearer(user.token), payload: { name: 'Renamed', about: 'new about' } });
    const renamed = await me();
    assert.deepEqual([renamed.name, renamed.about], ['Renamed', 'new about']);

    const login = await t.app.inject({
      method: 'POST',
      url: '/users/login',
      headers: basic(user.username, user.password),
      payload: { deviceInfo: { id: 'second-phone' } },
    });
    const second = login.json();
    assert.equal((await me()).deviceSessions.length, 2);
    await t.app.inject({ method: 'POST', url: '/users/me/logout', headers: bearer(second.token) });
    assert.deepEqual(
      (await me()).deviceSessions.map((s: { id: string }) => s.id),
      first.deviceSessions.map((s: { id: string }) => s.id),
    );

    assert.equal((await upload(t.app, await makePng(40, 40), { token: user.token, fileName: 'me-photo', contentType: 'png' })).statusCode, 200);
    await t.app.inject({
      method: 'POST',
      url: '/users/me/photos',
      headers: bearer(user.token),
      payload: { photo: { id: 'me-photo', fileType: 'png', fileSize: 1 } },
    });
    assert.deepEqual(
      (await me()).photos.map((p: { id: string }) => p.id),
      ['me-photo'],
    );
    await t.app.inject({ method: 'DELETE', url: '/users/me/photos/me-photo', headers: bearer(user.token) });
    assert.deepEqual((await me()).photos, []);

    const seen = (await me()).lastSeen;
    now += 5 * 60_000;
    assert.notEqual((await me()).lastSeen, seen, 'lastSeen moves on after its minute');
    await t.destroy();
  });
});
