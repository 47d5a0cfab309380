/**
 * A room socket's delivery across a bus outage (src/api/rooms/rooms.catch-up.ts), without a
 * server: what it missed comes from the history once, oldest first; what it was sent meanwhile
 * and what Redis delivers late are not sent twice; live messages that arrive while the history
 * is read follow it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RoomMessage } from '../src/ports/events.js';
import { RoomDelivery } from '../src/api/rooms/rooms.catch-up.js';

const message = (id: number): RoomMessage => ({ id, sender: { id: 1, username: 'u' }, text: `m${id}`, createTime: 1000 + id });

describe('a room socket across a bus outage', () => {
  it('gets what it missed once, in order, then live ones, and never a late duplicate', async () => {
    const frames: number[][] = [];
    const stored = [1, 2, 3, 4, 5, 6].map(message);
    let answer: (() => void) | undefined;
    const delivery = new RoomDelivery({
      history: (count) =>
        new Promise((resolve) => {
          answer = () => resolve(stored.slice(-count).reverse());
        }),
      send: (messages) => (frames.push(messages.map((m) => m.id)), true),
      onError: (error) => assert.fail(String(error)),
    });
    delivery.message(message(1));
    delivery.message(message(2));
    delivery.busLost();
    // Missed (posted on another node): 3, 5. Sent meanwhile (this node's own): 4.
    delivery.message(message(4));
    delivery.busBack();
    // Live while the history is read: 6 (also in the history) and 7.
    delivery.message(message(6));
    delivery.message(message(7));
    answer!();
    await new Promise((r) => setImmediate(r));
    // Late from Redis after a freeze: 5 again.
    delivery.message(message(5));
    delivery.message(message(8));
    assert.deepEqual(frames, [[1], [2], [4], [3, 5, 6], [7], [8]]);
  });

  it('without any message before the loss, takes those posted from a second before it', async () => {
    const frames: number[][] = [];
    const delivery = new RoomDelivery({
      history: async () => [
        { ...message(3), createTime: 2001 },
        { ...message(2), createTime: 1999 },
        { ...message(1), createTime: 1990 },
      ],
      send: (messages) => (frames.push(messages.map((m) => m.id)), true),
      onError: (error) => assert.fail(String(error)),
      now: () => 2000_000,
    });
    delivery.busLost();
    delivery.busBack();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(frames, [[2, 3]]);
  });
});
