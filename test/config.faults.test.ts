/** The failure-handling settings (config.faults.ts): defaults, RATE_LIMITS=off, and bad values reported one line each. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config.js';
import { configProblems } from './helpers.js';

describe('failure-handling settings', () => {
  it('have defaults, and RATE_LIMITS=off lifts the per-address cap unless it is set', () => {
    assert.deepEqual(loadConfig({}, '/srv').faults, {
      imageConcurrency: 2,
      uploadLeaseSeconds: 60,
      minBodyBytesPerSecond: 1024,
      bodyGraceSeconds: 10,
      maxOpenRequestsPerAddress: 64,
      readyzFailureSeconds: 30,
    });
    const config = loadConfig({}, '/srv');
    assert.deepEqual(
      [config.realtime.replayConcurrency, config.realtime.replayPerUser, config.realtime.replayPageEvents, config.redisHeartbeatSeconds],
      [8, 2, 200, 5],
    );
    assert.equal(loadConfig({ RATE_LIMITS: 'off' }, '/srv').faults.maxOpenRequestsPerAddress, 0);
    assert.equal(loadConfig({ RATE_LIMITS: 'off', HTTP_MAX_OPEN_REQUESTS_PER_ADDRESS: '10' }, '/srv').faults.maxOpenRequestsPerAddress, 10);
  });

  it('report each bad value on its own line', () => {
    const problems = configProblems({
      IMAGE_CONCURRENCY: '0',
      UPLOAD_LEASE_SECONDS: 'soon',
      HTTP_MIN_BODY_BYTES_PER_SECOND: '-1',
      HTTP_BODY_GRACE_SECONDS: '0',
      HTTP_MAX_OPEN_REQUESTS_PER_ADDRESS: '1.5',
      READYZ_FAILURE_SECONDS: '-1',
      REPLAY_CONCURRENCY: '0',
      REPLAY_PER_USER: 'many',
      REPLAY_PAGE_EVENTS: '5',
      REDIS_HEARTBEAT_SECONDS: '-2',
    });
    for (const name of [
      'IMAGE_CONCURRENCY',
      'UPLOAD_LEASE_SECONDS',
      'HTTP_MIN_BODY_BYTES_PER_SECOND',
      'HTTP_BODY_GRACE_SECONDS',
      'HTTP_MAX_OPEN_REQUESTS_PER_ADDRESS',
      'READYZ_FAILURE_SECONDS',
      'REPLAY_CONCURRENCY',
      'REPLAY_PER_USER',
      'REPLAY_PAGE_EVENTS',
      'REDIS_HEARTBEAT_SECONDS',
    ]) {
      assert.ok(
        problems.some((p) => p.startsWith(`${name}:`)),
        `${name} in ${problems.join(' | ')}`,
      );
    }
  });
});
