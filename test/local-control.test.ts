/**
 * The control socket between a node on the in-process bus and the admin CLI: what the CLI's
 * bus publishes has reached the node's subscribers when `publish` resolves; only the admin
 * topics pass; a connected client never holds up the node's shutdown.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { controlSocketPath, createLocalForwardingBus, listenForLocalPublishers, nodeIsRunning } from '../src/adapters/bus/local-control.js';
import { createMemoryBus } from '../src/adapters/bus/memory.js';
import { tempDir } from './helpers.js';

describe('local control socket', () => {
  const dataDir = tempDir('parley-control-');
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('carries the admin topics into the node, and only those', async () => {
    const nodeBus = createMemoryBus();
    const stop = await listenForLocalPublishers(nodeBus, dataDir, (m) => assert.fail(m));
    assert.ok(stop);
    try {
      assert.equal(await nodeIsRunning(dataDir), true);
      const revoked: unknown[] = [];
      const events: unknown[] = [];
      nodeBus.subscribe('sessions.revoked', (p) => revoked.push(p));
      nodeBus.subscribe('chat.event', (p) => events.push(p));
      const cli = createLocalForwardingBus(dataDir);
      await cli.publish('sessions.revoked', { userId: 7, sessionIds: ['s1'] });
      assert.deepEqual(revoked, [{ userId: 7, sessionIds: ['s1'] }], 'heard before publish resolved');

      const raw = net.connect(controlSocketPath(dataDir));
      const answers: string[] = [];
      raw.on('data', (d) => answers.push(...d.toString().trim().split('\n')));
      raw.write(`${JSON.stringify({ topic: 'chat.event', payload: { recipients: [1] } })}\nnot json\n`);
      while (answers.length < 2) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(answers, ['refused', 'error']);
      assert.deepEqual(events, []);
      // This client stays connected: stopping must not wait for it.
      await stop();
      raw.destroy();
    } finally {
      await stop();
    }
    assert.equal(await nodeIsRunning(dataDir), false);
  });

  it('without a running node, publishing is only local', async () => {
    const empty = tempDir('parley-control-none-');
    after(() => rmSync(empty, { recursive: true, force: true }));
    const bus = createLocalForwardingBus(empty);
    const heard: unknown[] = [];
    bus.subscribe('user.updated', (p) => heard.push(p));
    await bus.publish('user.updated', { userId: 1 });
    assert.deepEqual(heard, [{ userId: 1 }]);
  });
});
