/**
 * The Bus port's contract: the behaviour every adapter must show. Run by
 * `bus.contract.test.ts` against each adapter that is available. Adapters that connect
 * several nodes also pass `openPair`: two nodes on one bus.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { Bus, BusTopic, BusTopics } from '../../src/ports/bus.js';

export interface BusContractOptions {
  skip?: string | false;
  /** Two nodes on the same bus, for adapters that fan out across nodes. */
  openPair?: () => Promise<[Bus, Bus]>;
}

/** Waits until `check` passes (remote delivery takes a network hop), by default for at most 2 s. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(10);
    }
  }
}

/** Records what a bus delivers on `topic`. */
function record<K extends BusTopic>(bus: Bus, topic: K): Array<BusTopics[K]> {
  const seen: Array<BusTopics[K]> = [];
  bus.subscribe(topic, (payload) => seen.push(payload));
  return seen;
}

export function busContract(name: string, open: () => Promise<Bus>, options: BusContractOptions = {}) {
  describe(`Bus contract: ${name}`, { skip: options.skip ?? false }, () => {
    const withBus = (test: (bus: Bus) => Promise<void>) => async () => {
      const bus = await open();
      try {
        await test(bus);
      } finally {
        await bus.close();
      }
    };

    it(
      'delivers a publish to each subscriber of its topic once, on a later microtask',
      withBus(async (bus) => {
        const revoked = record(bus, 'sessions.revoked');
        const again = record(bus, 'sessions.revoked');
        const updated = record(bus, 'user.updated');
        const published = bus.publish('sessions.revoked', { userId: 7, sessionIds: ['a', 'b'] });
        assert.equal(revoked.length, 0, 'no handler runs inside publish');
        await published;
        assert.deepEqual(revoked, [{ userId: 7, sessionIds: ['a', 'b'] }], 'the publishing node has its event when publish resolves');
        assert.deepEqual(again, revoked);
        await sleep(100);
        assert.equal(revoked.length, 1, 'exactly once');
        assert.deepEqual(updated, [], 'topics are separate');
      }),
    );

    it(
      'carries payloads unchanged',
      withBus(async (bus) => {
        const seen = record(bus, 'sessions.revoked');
        const payload = { userId: 2 ** 40, sessionIds: ['ünïcödé ✓', '"quoted"\n', ''] };
        await bus.publish('sessions.revoked', payload);
        assert.deepEqual(seen, [payload]);
      }),
    );

    it(
      'stops delivering to a handler once unsubscribed, leaving the others',
      withBus(async (bus) => {
        const kept: number[] = [];
        const dropped: number[] = [];
        bus.subscribe('user.deleted', ({ userId }) => kept.push(userId));
        const unsubscribe = bus.subscribe('user.deleted', ({ userId }) => dropped.push(userId));
        await bus.publish('user.deleted', { userId: 1 });
        unsubscribe();
        unsubscribe(); // twice is harmless
        await bus.publish('user.deleted', { userId: 2 });
        await sleep(50);
        assert.deepEqual(kept, [1, 2]);
        assert.deepEqual(dropped, [1]);
      }),
    );

    it(
      'answers ping while it can carry messages',
      withBus(async (bus) => {
        await bus.ping();
      }),
    );

    if (options.openPair) {
      const openPair = options.openPair;
      it('fans every publish out to every node exactly once, the publisher included', async () => {
        const [a, b] = await openPair();
        try {
          const onA = record(a, 'user.updated');
          const onB = record(b, 'user.updated');
          await a.publish('user.updated', { userId: 1 });
          await b.publish('user.updated', { userId: 2 });
          await a.publish('user.updated', { userId: 3 });
          await eventually(() => {
            assert.equal(onA.length, 3);
            assert.equal(onB.length, 3);
          });
          await sleep(150); // any duplicate or echo would arrive by now
          // Own events arrive at publish time and remote ones later, so compare as sets.
          const ids = (seen: Array<{ userId: number }>) => seen.map((p) => p.userId).sort();
          assert.deepEqual(ids(onA), [1, 2, 3]);
          assert.deepEqual(ids(onB), [1, 2, 3]);
          assert.deepEqual(onA.slice(0, 1), [{ userId: 1 }], 'the publisher has its own event at once');
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
      });

      it('keeps one node’s order of publishes on the other node', async () => {
        const [a, b] = await openPair();
        try {
          const onB = record(b, 'user.deleted');
          for (let i = 0; i < 50; i++) await a.publish('user.deleted', { userId: i });
          await eventually(() => assert.equal(onB.length, 50));
          assert.deepEqual(
            onB.map((p) => p.userId),
            Array.from({ length: 50 }, (_, i) => i),
          );
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
      });
    }
  });
}
