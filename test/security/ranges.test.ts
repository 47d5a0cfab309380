/**
 * Found by the fuzzer on PostgreSQL: ids past the 32-bit `integer` columns (GET
 * /users/6077360243132862) failed the query and answered 500. Every id a client sends is now
 * capped by its schema (MAX_RECORD_ID), so such a request is a 400 on every store, and the
 * largest real id still gets through to the handler.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, register, startApp, type Registered, type TestApp } from '../helpers.js';
import { connect, listen, refusedWith } from '../ws-helpers.js';
import { MAX_RECORD_ID } from '../../src/api/validation.js';

const TOO_BIG = MAX_RECORD_ID + 1;

describe('security: ids beyond the store’s range', () => {
  let t: TestApp;
  let user: Registered;
  let chatId: string;
  before(async () => {
    t = await startApp();
    user = await register(t.app);
    const other = await register(t.app);
    chatId = (await client(t.app, user.token)('POST', '/chats', { title: 'g', participants: [other.id], isPersonal: false })).json().id;
  });
  after(() => t.destroy());

  const requests = (id: number): Array<['GET' | 'POST' | 'PUT' | 'DELETE', string, unknown?]> => [
    ['GET', `/users/${id}`],
    ['PUT', '/users/resetPassword', { userId: id, accountKey: 'an account key', newPassword: 'a new password' }],
    ['POST', '/chats', { participants: [id] }],
    ['POST', `/chats/${chatId}/users`, { users: [id] }],
    ['DELETE', `/chats/${chatId}/users`, { users: [id] }],
    ['PUT', `/chats/${chatId}/users/${id}/block`],
    // Native message ids are UUIDs (MessageInfo `id`), so those routes take no integer id.
    ['POST', '/users/me/contacts', { user: { id } }],
    ['GET', `/api/v1/messages?room=lobby&before=${id}`],
  ];

  it('answers 400 for every id past MAX_RECORD_ID, and lets the largest one through', async () => {
    const as = client(t.app, user.token);
    for (const [method, url, body] of requests(TOO_BIG)) {
      const res = await as(method, url, body);
      assert.equal(res.statusCode, 400, `${method} ${url}: ${res.statusCode} ${res.body}`);
    }
    for (const [method, url, body] of requests(MAX_RECORD_ID)) {
      const res = await as(method, url, body);
      // Not refused by the cap (a handler may still refuse the unknown id: 404, or 400 "unknown user ids").
      assert.ok(res.statusCode < 500 && !/must be <=/.test(res.body), `${method} ${url} with the largest id: ${res.statusCode} ${res.body}`);
    }
  });

  it('refuses an attachment size past the safe integers with 400', async () => {
    for (const fileSize of [Number.MAX_SAFE_INTEGER + 1, 1e300]) {
      const res = await client(t.app, user.token)('POST', `/chats/${chatId}/messages`, {
        localId: `big${fileSize}`,
        text: 'x',
        attachment: { fileType: 'png', fileSize },
      });
      assert.equal(res.statusCode, 400, `${fileSize}: ${res.statusCode} ${res.body}`);
    }
  });

  it('on the socket: a huge cursor is refused with 400, a huge message id is a validation ack', async () => {
    const base = await listen(t);
    assert.equal(await refusedWith(`${base}/ws?since=${TOO_BIG}&token=${user.token}`), 400);
    const socket = await connect(`${base}/ws?token=${user.token}`);
    try {
      socket.send({ action: 'read', chatId, messageId: TOO_BIG, requestId: 'r' });
      const [ack] = await socket.waitFor('ack');
      assert.equal(ack!.payload.ok, false);
      assert.equal(ack!.payload.error, 'validation', JSON.stringify(ack));
      assert.equal(socket.closed, undefined);
    } finally {
      socket.close();
    }
  });
});
