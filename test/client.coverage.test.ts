/**
 * The client covers every operation of /openapi.json: each hand-written method names the
 * operationIds it calls in its JSDoc (`@operation <id>`), outside client/src/generated/. An
 * operation of the `/api` mirror counts as covered when the root operation it repeats is.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { currentOpenApi } from '../scripts/gen-client-types.js';

const CLIENT_SRC = fileURLToPath(new URL('../client/src/', import.meta.url));
const METHODS = ['get', 'put', 'post', 'delete', 'head', 'patch'];

/** Every `@operation` of the hand-written client: operationId → the file and the method it stands beside. */
function namedOperations(): Map<string, string> {
  const named = new Map<string, string>();
  for (const file of readdirSync(CLIENT_SRC).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(path.join(CLIENT_SRC, file), 'utf8');
    for (const block of text.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*\n\s*([^\n]*)/g)) {
      const ids = [...(block[1] ?? '').matchAll(/@operation\s+(\w+)/g)].map((m) => m[1]!);
      const signature = block[2] ?? '';
      if (ids.length === 0) continue;
      // The JSDoc must stand on a method (or function), not float on its own.
      assert.match(signature, /^(async\s+)?\*?\w+(<[^(]*>)?\(/, `${file}: @operation ${ids.join(', ')} is not beside a method: ${signature}`);
      const method = signature.replace(/^async\s+/, '').split('(')[0];
      for (const id of ids) named.set(id, `${file} ${method}`);
    }
  }
  return named;
}

test('every operation of /openapi.json has a client method that names its operationId', async () => {
  const doc = (await currentOpenApi()) as { paths: Record<string, Record<string, { operationId: string; 'x-parley-alias-of'?: string }>> };
  const named = namedOperations();
  const missing: string[] = [];
  const all = new Set<string>();
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      all.add(op.operationId);
      const covering = op['x-parley-alias-of'] ?? op.operationId;
      if (!named.has(covering)) missing.push(`${method.toUpperCase()} ${p} (${op.operationId})`);
    }
  }
  assert.deepEqual(missing, [], `operations without a client method:\n${missing.join('\n')}`);
  const stale = [...named.keys()].filter((id) => !all.has(id));
  assert.deepEqual(stale, [], `@operation names no operation of /openapi.json: ${stale.join(', ')}`);
  assert.ok(named.size > 100, `${named.size} operations named`);
});
