/**
 * The in-process bus for a single node: handlers run on a later microtask, as they would
 * after a network hop, so a publisher never depends on a subscriber's timing.
 */
import { EventEmitter } from 'node:events';
import type { Bus, BusHandler, BusTopic, BusTopics } from '../../ports/bus.js';

export function createMemoryBus(): Bus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    scope: 'process',
    async publish<K extends BusTopic>(topic: K, payload: BusTopics[K]) {
      await Promise.resolve();
      emitter.emit(topic, payload);
    },
    subscribe<K extends BusTopic>(topic: K, handler: BusHandler<K>) {
      emitter.on(topic, handler);
      return () => emitter.off(topic, handler);
    },
    async ping() {},
    async close() {
      emitter.removeAllListeners();
    },
  };
}
