import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_RATE_LIMITS, loadConfig } from '../src/config.js';
import { configProblems as problemsOf, tempDir } from './helpers.js';

describe('config', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({}, '/srv');
    assert.equal(config.port, 3000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.dataDir, '/srv/data');
    assert.equal(config.publicUrl, 'http://localhost:3000');
    assert.equal(config.tokenTtlSeconds, 3600);
    assert.equal(config.uploadMaxBytes, 50 * 1024 * 1024);
    assert.deepEqual(config.rateLimits, DEFAULT_RATE_LIMITS);
    assert.equal(config.vappPrefix, '/vapp');
    assert.deepEqual({ ...config.argon2, concurrency: undefined }, { memoryKiB: 19456, timeCost: 2, parallelism: 1, concurrency: undefined });
    assert.ok(config.argon2.concurrency >= 1);
    assert.equal(config.bodyLimitBytes, 64 * 1024);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.databasePoolSize, 10);
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.redisPrefix, 'parley:');
    assert.ok(Object.isFrozen(config));
  });

  it('reads the scale-out settings and checks their ranges', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://parley:secret@db.internal:5432/parley',
      DATABASE_POOL_SIZE: '25',
      REDIS_URL: 'rediss://cache.internal:6380',
      REDIS_PREFIX: 'chat-eu:',
    });
    assert.equal(config.databaseUrl, 'postgresql://parley:secret@db.internal:5432/parley');
    assert.equal(config.databasePoolSize, 25);
    assert.equal(config.redisUrl, 'rediss://cache.internal:6380');
    assert.equal(config.redisPrefix, 'chat-eu:');
    assert.equal(loadConfig({ DATABASE_POOL_SIZE: '1' }).databasePoolSize, 1);
    assert.equal(loadConfig({ DATABASE_POOL_SIZE: '200' }).databasePoolSize, 200);
    const problems = problemsOf({ DATABASE_POOL_SIZE: '0', REDIS_PREFIX: 'parley:*' });
    assert.deepEqual(
      problems.map((p) => p.split(':')[0]),
      ['DATABASE_POOL_SIZE', 'REDIS_PREFIX'],
    );
    assert.match(problems[0]!, /from 1 to 200/);
    assert.match(problemsOf({ DATABASE_POOL_SIZE: '201' })[0]!, /DATABASE_POOL_SIZE/);
    assert.match(problemsOf({ DATABASE_POOL_SIZE: 'ten' })[0]!, /DATABASE_POOL_SIZE/);
  });

  it('keeps uploads in PostgreSQL when DATABASE_URL is set, unless BLOB_STORE says fs', () => {
    const db = { DATABASE_URL: 'postgres://db.internal/parley' };
    assert.equal(loadConfig({}).blobStore, 'fs');
    assert.equal(loadConfig(db).blobStore, 'postgres');
    assert.equal(loadConfig({ ...db, BLOB_STORE: 'fs' }).blobStore, 'fs');
    assert.equal(loadConfig({ ...db, BLOB_STORE: 'postgres' }).blobStore, 'postgres');
    assert.equal(loadConfig({ BLOB_STORE: 'fs' }).blobStore, 'fs');
    assert.match(problemsOf({ BLOB_STORE: 'postgres' })[0]!, /^BLOB_STORE: postgres .* DATABASE_URL, which is not set/);
    assert.match(problemsOf({ ...db, BLOB_STORE: 's3' })[0]!, /^BLOB_STORE: expected fs or postgres, got "s3"/);
  });

  it('reports every bad value at once, one line each', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://root:hunter2@db/x',
      REDIS_URL: 'nope',
      TOKEN_TTL_SECONDS: '5',
      RATE_LIMITS: 'login_user=ten',
      LOG_LEVEL: 'loud',
      CORS_ORIGINS: 'https://ok.example,not an origin',
      VAPP_PREFIX: 'vapp',
      TOKEN_SIGNING_KEY: 'missing.pem',
      PUBLIC_URL: 'ftp://x',
    });
    const names = problems.map((p) => p.split(':')[0]);
    assert.deepEqual(names, [
      'PORT',
      'PUBLIC_URL',
      'DATABASE_URL',
      'REDIS_URL',
      'TOKEN_TTL_SECONDS',
      'TOKEN_SIGNING_KEY',
      'RATE_LIMITS',
      'VAPP_PREFIX',
      'CORS_ORIGINS',
      'LOG_LEVEL',
    ]);
    assert.ok(!problems.join('\n').includes('hunter2'), 'passwords in URLs are never echoed');
    assert.ok(!problemsOf({ REDIS_URL: 'http://:hunter2@cache' })[0]!.includes('hunter2'), 'nor a password without a user name');
  });

  it('parses RATE_LIMITS overrides and off', () => {
    const config = loadConfig({ RATE_LIMITS: 'login_user=5/1m, reset_ip=3/2h' });
    assert.deepEqual(config.rateLimits?.loginPerUsername, { points: 5, durationSeconds: 60 });
    assert.deepEqual(config.rateLimits?.resetPerAddress, { points: 3, durationSeconds: 7200 });
    assert.deepEqual(config.rateLimits?.loginPerAddress, DEFAULT_RATE_LIMITS.loginPerAddress);
    assert.equal(loadConfig({ RATE_LIMITS: 'off' }).rateLimits, null);
    assert.match(problemsOf({ RATE_LIMITS: 'everything=1/1s' })[0]!, /RATE_LIMITS/);
  });

  it('reads a PEM key from a path or inline, and needs the Vonage pair together', () => {
    const dir = tempDir();
    const pem = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n';
    writeFileSync(path.join(dir, 'key.pem'), pem);
    assert.equal(loadConfig({ TOKEN_SIGNING_KEY: 'key.pem' }, dir).tokenSigningKey, pem);
    assert.equal(loadConfig({ TOKEN_SIGNING_KEY: pem.replace(/\n/g, '\\n') }).tokenSigningKey, pem);
    assert.match(problemsOf({ VONAGE_APPLICATION_ID: 'abc' })[0]!, /set both or neither/);
  });

  it('fails the start with a clear message when DATABASE_URL or REDIS_URL cannot be reached', async () => {
    const { buildApp } = await import('../src/app.js');
    const start = (env: Record<string, string>) => buildApp(loadConfig({ DATA_DIR: tempDir(), ...env }), { logger: false });
    await assert.rejects(
      start({ DATABASE_URL: 'postgres://parley:hunter2@127.0.0.1:1/parley' }),
      (error: Error) =>
        /^Cannot connect to PostgreSQL at postgres:\/\/parley:\*\*\*@127\.0\.0\.1:1\/parley: .*ECONNREFUSED/.test(error.message) &&
        !error.message.includes('hunter2'),
    );
    await assert.rejects(start({ REDIS_URL: 'redis://127.0.0.1:1' }), /^Error: Cannot connect to Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
  });
});
