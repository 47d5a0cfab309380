/**
 * /asyncapi.json: an AsyncAPI 3 document of the sockets that @asyncapi/parser accepts with no
 * diagnostic; every event kind the core publishes, every socket action and every close code
 * is in it; the client's socket names are generated from it (client/src/generated/asyncapi.ts,
 * which client/src/socket.ts checks its unions against at compile time) and the client
 * compiles with them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Parser } from '@asyncapi/parser';
import { FINAL_CLOSE_CODES } from '../client/src/index.js';
import { currentAsyncApi, GENERATED_SOCKET_NAMES, generateSocketNames, socketMessageNames } from '../scripts/gen-client-types.js';
import { CloseCode } from '../src/realtime/close-codes.js';
import { startApp } from './helpers.js';

const KINDS = [
  'message',
  'messageUpdate',
  'messageRead',
  'chatUpdate',
  'addedUsers',
  'removedUsers',
  'chatCleared',
  'chatDeleted',
  'userUpdate',
  'auxiliary',
  'messageDelivered',
];

test('@asyncapi/parser accepts /asyncapi.json without a diagnostic, and /docs links it', async () => {
  const t = await startApp();
  try {
    const res = await t.app.inject({ url: '/asyncapi.json' });
    assert.equal(res.statusCode, 200);
    const { document, diagnostics } = await new Parser().parse(res.body);
    assert.deepEqual(
      diagnostics.map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`),
      [],
    );
    assert.ok(document);
    assert.equal(document.version(), '3.1.0');
    assert.deepEqual(
      document
        .channels()
        .all()
        .map((c) => c.address())
        .sort(),
      ['/api/v1/rooms/{room}/messages/ws', '/api/v1/rooms/{room}/ws', '/ws'],
    );
    const openapi = (await t.app.inject({ url: '/openapi.json' })).json();
    assert.match(openapi.info.description, /\/asyncapi\.json/);
  } finally {
    await t.destroy();
  }
});

test('every event kind, action, ack, resync, the since cursor and every close code are described', async () => {
  const doc = (await currentAsyncApi()) as any;
  const events = socketMessageNames(doc, 'native', 'receive');
  for (const kind of [...KINDS, 'ack', 'resync']) assert.ok(events.includes(kind), `${kind} is described`);
  assert.deepEqual(socketMessageNames(doc, 'native', 'send'), ['delivered', 'notify', 'read', 'send']);
  for (const op of Object.values<any>(doc.operations).filter((o) => o.action === 'send' && o.channel.$ref === '#/channels/native')) {
    assert.deepEqual(op.reply.messages, [{ $ref: '#/channels/native/messages/ack' }], 'each action is answered by an ack');
  }
  assert.ok(doc.components.schemas.messageFrame.required.includes('cursor'), 'stored events carry their cursor');
  assert.ok(!doc.components.schemas.auxiliaryFrame.required.includes('cursor'), 'auxiliary events carry none');
  assert.equal(doc.channels.native.bindings.ws.query.properties.since.type, 'integer');
  assert.deepEqual(Object.keys(doc.channels.native['x-parley-close-codes']).map(Number).sort(), Object.values(CloseCode).sort());
  assert.match(doc.channels.native.description, /4001 Revoked/);
});

test('the client’s socket names are generated from the document, and the client compiles against them', async () => {
  assert.equal(readFileSync(GENERATED_SOCKET_NAMES, 'utf8'), await generateSocketNames(), 'run npm run gen:client');
  const { FINAL_CLOSE_CODES_DOCUMENTED } = await import('../client/src/generated/asyncapi.js');
  assert.deepEqual([...FINAL_CLOSE_CODES].sort(), [...FINAL_CLOSE_CODES_DOCUMENTED].sort(), 'the client stops reconnecting on exactly the documented codes');
  // socket.ts asserts at compile time that its ServerEvents and SocketAction unions equal the generated names.
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  execFileSync(process.execPath, [tsc, '-p', fileURLToPath(new URL('../client/tsconfig.json', import.meta.url)), '--noEmit'], { stdio: 'pipe' });
});
