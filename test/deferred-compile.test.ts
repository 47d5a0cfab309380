/**
 * Validators and serialisers compile on first use, and all of them once the server
 * listens (src/api/deferred-compile.ts): requests are checked and answered exactly as with
 * compilation up front, and no schema is left uncompiled for long.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { compileDeferred, deferredCount, deferValidator, type Validator } from '../src/api/deferred-compile.js';
import { bearer, problemOf, register, startApp } from './helpers.js';

test('building the app compiles no route schema; the first requests compile theirs and behave as before', async () => {
  const t = await startApp();
  await t.app.ready();
  const waiting = deferredCount();
  assert.ok(waiting > 100, `route validators and serialisers are waiting (${waiting})`);

  const user = await register(t.app);
  assert.ok(deferredCount() < waiting, 'registering compiled its own schemas');
  // Path parameters are coerced from text on their first use: "5" is the integer 5, "abc" a 400.
  assert.equal((await t.app.inject({ url: `/users/${user.id}`, headers: bearer(user.token) })).json().id, user.id);
  problemOf(await t.app.inject({ url: '/users/abc', headers: bearer(user.token) }), 400);
  // A JSON body is not coerced: a number where a name belongs is a 400.
  problemOf(await t.app.inject({ method: 'PUT', url: '/users/me', headers: bearer(user.token), payload: { name: 42 } }), 400);
  // The serialiser drops what the schema does not list (the session's token id, the password hash).
  const me = (await t.app.inject({ url: '/users/me', headers: bearer(user.token) })).json();
  assert.deepEqual(Object.keys(me.deviceSessions[0]).sort(), ['createdAt', 'deviceInfo', 'id', 'ipAddress', 'updatedAt']);
  assert.equal(me.passwordHash, undefined);

  // Every schema of every route compiles.
  await compileDeferred();
  assert.equal(deferredCount(), 0);
  await t.destroy();
});

test('a listening server compiles what is left in the background', async () => {
  const t = await startApp();
  await t.app.ready();
  assert.ok(deferredCount() > 100);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const deadline = Date.now() + 20_000;
  while (deferredCount() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(deferredCount(), 0);
  await t.destroy();
});

test('a schema that cannot compile is found by compileDeferred, not left for a request to meet', async () => {
  const ajv = new Ajv();
  const validate = deferValidator(() => ajv.compile({ type: 'object', properties: { a: { type: 'no such type' } } }) as Validator);
  await assert.rejects(compileDeferred(), /type/);
  // Not compiled, it throws on use too (Fastify answers that with a 500): nothing passes unchecked.
  assert.throws(() => validate({ a: 1 }), /type/);
  assert.equal(deferredCount(), 0);
});
