/**
 * Blob stores compared: local disk, PostgreSQL bytea chunks (the adapter, at several chunk
 * sizes), and PostgreSQL large objects (a minimal lo_* writer and reader, here only for the
 * comparison). Each writes a 40 MiB stream in 64 KiB pieces, reads it back whole, and reads
 * 200 random 64 KiB ranges. Needs PostgreSQL (`DATABASE_URL`, default the local `test` db);
 * works in a schema of its own, dropped afterwards.
 *
 *   npx tsx bench/blobs.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import { createFsBlobStore } from '../src/adapters/blobs/fs.js';
import { createPostgresBlobStore } from '../src/adapters/blobs/postgres.js';
import { openPostgresStore } from '../src/adapters/store/postgres.js';
import type { BlobStore } from '../src/ports/blob-store.js';
import { machine } from './lib/server.js';

const MiB = 1024 * 1024;
const SIZE = 40 * MiB;
const PIECE = 64 * 1024;
const RANGES = 200;
const baseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** 40 MiB of incompressible bytes, streamed in 64 KiB pieces (as an upload arrives). */
const payload = randomBytes(SIZE);
const source = () =>
  Readable.from(
    (function* () {
      for (let at = 0; at < SIZE; at += PIECE) yield payload.subarray(at, at + PIECE);
    })(),
  );

async function drain(stream: Readable): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  return n;
}

interface Row {
  store: string;
  writeMBs: number;
  readMBs: number;
  rangeMs: number;
}

async function measure(name: string, write: () => Promise<unknown>, read: () => Readable, readRange: (start: number, end: number) => Readable): Promise<Row> {
  let t = performance.now();
  await write();
  const writeS = (performance.now() - t) / 1000;
  t = performance.now();
  const n = await drain(read());
  if (n !== SIZE) throw new Error(`${name}: read ${n} bytes`);
  const readS = (performance.now() - t) / 1000;
  t = performance.now();
  for (let i = 0; i < RANGES; i++) {
    const start = Math.floor(Math.random() * (SIZE - PIECE));
    if ((await drain(readRange(start, start + PIECE - 1))) !== PIECE) throw new Error(`${name}: short range`);
  }
  const rangeMs = (performance.now() - t) / RANGES;
  const row = { store: name, writeMBs: SIZE / MiB / writeS, readMBs: SIZE / MiB / readS, rangeMs };
  console.log(JSON.stringify(row));
  return row;
}

const viaStore = (name: string, blobs: BlobStore) =>
  measure(
    name,
    () => blobs.write('bench.bin', source(), { maxBytes: SIZE }),
    () => blobs.read('bench.bin'),
    (start, end) => blobs.read('bench.bin', { start, end }),
  );

/** Large objects: one transaction for the write (lo descriptors live in a transaction). */
async function largeObjects(pool: pg.Pool): Promise<Row> {
  let oid = 0;
  const INV_WRITE = 0x20000;
  const INV_READ = 0x40000;
  const readLo = (start: number, end: number) =>
    Readable.from(
      (async function* () {
        const client = await pool.connect();
        try {
          await client.query('begin');
          const fd = (await client.query('select lo_open($1, $2) as fd', [oid, INV_READ])).rows[0].fd;
          await client.query('select lo_lseek64($1, $2, 0)', [fd, start]);
          for (let at = start; at <= end; at += 256 * 1024) {
            const { rows } = await client.query('select loread($1, $2) as data', [fd, Math.min(256 * 1024, end - at + 1)]);
            yield rows[0].data as Buffer;
          }
          await client.query('commit');
        } finally {
          client.release();
        }
      })(),
    );
  // Large objects live outside any schema: this one is unlinked here, or it would stay.
  const unlink = () => pool.query('select lo_unlink($1)', [oid]);
  return measure(
    'postgres large object',
    async () => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        oid = (await client.query('select lo_create(0) as oid')).rows[0].oid;
        const fd = (await client.query('select lo_open($1, $2) as fd', [oid, INV_WRITE])).rows[0].fd;
        for await (const piece of source()) await client.query('select lowrite($1, $2)', [fd, piece]);
        await client.query('commit');
      } finally {
        client.release();
      }
    },
    () => readLo(0, SIZE - 1),
    readLo,
  ).finally(unlink);
}

const rows: Row[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-blobs-'));
const schema = `bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: baseUrl });
await admin.connect();
await admin.query(`create schema ${schema}`);
try {
  rows.push(await viaStore('local disk (fs)', createFsBlobStore(dir)));
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const opened = await openPostgresStore(url.toString(), { poolSize: 4 });
  try {
    for (const kib of [64, 256, 1024])
      rows.push(await viaStore(`postgres bytea, ${kib} KiB chunks`, createPostgresBlobStore(opened.pool, { chunkBytes: kib * 1024 })));
    rows.push(await largeObjects(opened.pool));
  } finally {
    await opened.store.close();
  }
} finally {
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}

const md = `# Blob stores: local disk, PostgreSQL bytea chunks, PostgreSQL large objects

Run: ${new Date().toISOString()} on ${await machine()}; PostgreSQL on the same machine.
Command: \`npx tsx bench/blobs.ts\`. 40 MiB of random bytes written as a stream of 64 KiB
pieces, read back whole, then ${RANGES} random 64 KiB ranges.

| store | write MiB/s | read MiB/s | 64 KiB range, ms |
|---|---|---|---|
${rows.map((r) => `| ${r.store} | ${r.writeMBs.toFixed(0)} | ${r.readMBs.toFixed(0)} | ${r.rangeMs.toFixed(2)} |`).join('\n')}

Why bytea chunks of 256 KiB (\`src/adapters/blobs/postgres.ts\`) rather than large objects:
- Large objects are no faster here, and they live outside any schema (\`pg_largeobject\`):
  not dropped with a schema, left behind as orphans when a row that named them goes (hence
  \`vacuumlo\`), and not carried by logical replication. Chunks are rows of an ordinary table,
  deleted by \`ON DELETE CASCADE\`, and dumped, replicated and dropped with the schema.
- A large-object write needs one transaction (and one pooled connection) for the whole
  upload, however slow the client; each chunk is its own short statement.
- 256 KiB is near the top of the curve: 1 MiB chunks gain little more and cost four times
  the memory per upload in flight (a write holds at most one chunk, a read one chunk plus
  its hex text, since pg 8 cannot return bytea in binary).
- Chunks are stored \`STORAGE EXTERNAL\` (out of line, uncompressed): uploads are mostly
  compressed already, and a range read's \`substring\` then reads only the TOAST pages it needs.
`;
writeFileSync('bench/results-blobs.md', md);
console.log(md);
