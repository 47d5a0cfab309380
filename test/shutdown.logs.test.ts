// @one-pass: server processes of its own; the PostgreSQL + Redis pass would run it again unchanged.
/**
 * Shutdown's honesty, on the real server process (issue 27): it keeps serving while its stdout
 * is a full pipe nobody reads (the old code froze on the first log line past the pipe's
 * 64 KiB), the sends acked ok across a shutdown are exactly the messages stored, and the
 * built server (dist/server.js, what `npm start` and the systemd unit run) does the same rounds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tempDir } from './helpers.js';
import { BUILT, chatHistory } from './server-process.js';
import { burstUsers, endBurst, startBurst, startShutdownServer, stopWithin } from './shutdown-helpers.js';
import { bundled, GRACE_MS, ROUND_ENTRY, rounds, summary } from './shutdown-rounds.js';

describe('shutdown and its logs and acks', () => {
  it('keeps serving while its stdout is a full pipe nobody reads, and still exits 0', async () => {
    const server = await startShutdownServer({ DATA_DIR: tempDir() }, { unreadStdout: true, entry: ROUND_ENTRY });
    try {
      // ~500 bytes of log lines per request at info: 400 requests are ~200 KB, three times what the pipe holds.
      for (let i = 0; i < 400; i++) {
        const res = await fetch(`${server.url}/healthz?n=${i}`, { signal: AbortSignal.timeout(5000) });
        assert.equal(res.status, 200);
      }
      assert.deepEqual(await stopWithin(server, GRACE_MS + 5000), { code: 0, signal: null });
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('acks honestly: the sends acked ok are the messages stored, no more, no fewer', async () => {
    const dataDir = tempDir();
    const server = await startShutdownServer({ DATA_DIR: dataDir }, { entry: ROUND_ENTRY });
    const users = await burstUsers(server.url);
    const burst = await startBurst(server, users, { roomFrames: 0, nativeSends: 300 });
    const native = burst.sockets.at(-1)!;
    const acks: Array<{ ok: boolean; error?: string; localId?: string }> = [];
    native.ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { event: string; payload: { ok: boolean; localId?: string } };
      if (frame.event === 'ack') acks.push(frame.payload);
    });
    await burst.started;
    assert.deepEqual(await stopWithin(server, GRACE_MS + 5000), { code: 0, signal: null }, server.output().slice(-2000));
    await native.closed;
    endBurst(burst);
    const again = await startShutdownServer({ DATA_DIR: dataDir }, { entry: ROUND_ENTRY });
    try {
      const stored = await chatHistory<{ id: number }>(again.url, users.sender.token, users.chatId);
      const acked = acks.filter((a) => a.ok).length;
      assert.equal(stored.length, acked, `stored ${stored.length}, acked ok ${acked}, acks ${JSON.stringify(acks.filter((a) => !a.ok).slice(0, 3))}`);
      for (const ack of acks.filter((a) => !a.ok)) assert.equal(ack.error, 'unavailable', JSON.stringify(ack));
    } finally {
      await stopWithin(again, GRACE_MS + 5000);
    }
  });
});

describe('shutdown of the built server (dist/server.js, as `npm start` and the systemd unit run it)', {
  skip: bundled ? false : 'dist/server.js is not built: run `npm run build`',
}, () => {
  it('exits 0 within the grace period after each kind of burst', async (t) => {
    t.diagnostic(summary(await rounds(3, async () => ({ DATA_DIR: tempDir() }), { entry: BUILT })));
  });
});
