/** /openapi.json is a valid OpenAPI 3.1 document, and every operation says what a client needs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { currentOpenApi } from '../scripts/gen-client-types.js';
import { mirroredPath, operationIdOf } from '../src/api/system/openapi-finish.js';

type Operation = {
  operationId?: string;
  summary?: string;
  responses?: Record<string, unknown>;
  parameters?: { name: string; required?: boolean; schema?: { default?: unknown } }[];
};
const METHODS = ['get', 'put', 'post', 'delete', 'head', 'patch'];

const operations = async () => {
  const doc = (await currentOpenApi()) as { paths: Record<string, Record<string, Operation>> };
  const list: { method: string; path: string; op: Operation }[] = [];
  for (const [path, item] of Object.entries(doc.paths)) for (const method of METHODS) if (item[method]) list.push({ method, path, op: item[method] });
  return { doc, list };
};

test('the OpenAPI 3.1 schema validator accepts /openapi.json', async () => {
  const { doc } = await operations();
  const result = await new Validator().validate(doc as never);
  assert.deepEqual(result.errors ?? [], []);
  assert.equal(result.valid, true);
});

test('every operation has a unique operationId, a summary and error answers; no parameter is both required and defaulted', async () => {
  const { list } = await operations();
  assert.ok(list.length > 100, `${list.length} operations`);
  const ids = new Map<string, string>();
  for (const { method, path, op } of list) {
    const where = `${method.toUpperCase()} ${path}`;
    assert.ok(op.operationId, `${where} has no operationId`);
    assert.equal(ids.get(op.operationId), undefined, `${where} repeats the operationId of ${ids.get(op.operationId)}`);
    ids.set(op.operationId, where);
    assert.ok(op.summary?.trim(), `${where} has no summary`);
    assert.ok(
      Object.keys(op.responses ?? {}).some((code) => /^[45]/.test(code)),
      `${where} documents no error answer`,
    );
    for (const p of op.parameters ?? []) assert.ok(!(p.required && p.schema?.default !== undefined), `${where}: ${p.name} is required and has a default`);
  }
});

test('operationIds follow the naming rule; the /api mirror names what it repeats', async () => {
  assert.equal(operationIdOf('get', '/users/{id}'), 'getUsersById');
  assert.equal(operationIdOf('put', '/chats/{id}/messages/{messageId}/read'), 'putChatsByIdMessagesByMessageIdRead');
  assert.equal(operationIdOf('get', '/.well-known/jwks.json'), 'getWellKnownJwksJson');
  assert.equal(mirroredPath('/api/users/me'), '/users/me');
  assert.equal(mirroredPath('/api/v1/users'), undefined);
  const { list } = await operations();
  const me = list.find((o) => o.method === 'get' && o.path === '/api/users/me')!;
  assert.equal(me.op.operationId, 'apiGetUsersMe');
  assert.equal((me.op as Record<string, unknown>)['x-parley-alias-of'], 'getUsersMe');
  const head = list.find((o) => o.method === 'head' && o.path === '/uploads/{file}')!;
  assert.equal(head.op.operationId, 'headUploadsByFile');
});
