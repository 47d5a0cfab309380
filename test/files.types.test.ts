import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveFileType } from '../src/core/media-types.js';
import { AppError } from '../src/errors.js';
import { makePng } from './media-helpers.js';

const code = (expected: string) => (e: unknown) => e instanceof AppError && e.code === expected;

describe('upload type resolution (declared Content-Type against sniffed bytes)', () => {
  const zip = Buffer.from('504b0304140000000800', 'hex');
  const xml = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>');

  it('takes the sniffed type when nothing or octet-stream is declared', async () => {
    const png = await makePng(4, 4);
    assert.deepEqual(await resolveFileType(undefined, png), { ext: 'png', mime: 'image/png' });
    assert.deepEqual(await resolveFileType('application/octet-stream', png), { ext: 'png', mime: 'image/png' });
    assert.deepEqual(await resolveFileType(undefined, Buffer.from('text')), { ext: 'bin', mime: 'application/octet-stream' });
  });

  it('accepts undetectable formats as declared, with parameters and odd cases', async () => {
    assert.deepEqual(await resolveFileType('text/csv; charset=utf-8', Buffer.from('a,b')), { ext: 'csv', mime: 'text/csv' });
    assert.deepEqual(await resolveFileType('JSON', Buffer.from('{}')), { ext: 'json', mime: 'application/json' });
    assert.deepEqual(await resolveFileType('zzq', Buffer.from('?')), { ext: 'zzq', mime: 'application/octet-stream' });
  });

  it('keeps a client’s more specific name for containers', async () => {
    const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    assert.deepEqual(await resolveFileType(docx, zip), { ext: 'docx', mime: docx });
    assert.deepEqual(await resolveFileType('svg', xml), { ext: 'svg', mime: 'image/svg+xml' });
  });

  it('refuses contradictions with 415, and image types whose signature is missing', async () => {
    await assert.rejects(resolveFileType('image/png', zip), code('unsupported_media_type'));
    await assert.rejects(resolveFileType('jpg', Buffer.from('hello, not a jpeg')), code('unsupported_media_type'));
    await assert.rejects(resolveFileType('application/pdf', Buffer.from('not a pdf')), code('unsupported_media_type'));
    await assert.rejects(resolveFileType('text/plain', await makePng(4, 4)), code('unsupported_media_type'));
  });

  it('refuses a malformed Content-Type with 400', async () => {
    await assert.rejects(resolveFileType('../../etc', Buffer.from('x')), code('validation'));
  });
});
