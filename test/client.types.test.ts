/** The client's generated types match what the current app's /openapi.json generates. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { GENERATED_TYPES, generateClientTypes } from '../scripts/gen-client-types.js';

test('client/src/generated/openapi.ts is what /openapi.json generates (run npm run gen:client when this fails)', async () => {
  const fresh = await generateClientTypes();
  const committed = readFileSync(GENERATED_TYPES, 'utf8');
  assert.ok(fresh.includes('"/chats/{id}/messages"'), 'the generated types cover the chat routes');
  assert.equal(committed, fresh, 'the committed client types are out of date: npm run gen:client');
});
