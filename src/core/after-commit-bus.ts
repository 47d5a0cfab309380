/**
 * The bus as the services see it. Every publish in the core follows a committed change
 * ("store first, then publish"), so a publish that fails (the bus is down) must not turn a
 * stored change into an error: the caller would answer 500 for a message everyone can read
 * (issue 24). Here a failed publish is reported (a log line per outage, a metric per publish) and the call
 * resolves; the adapter has already delivered the event to this node's own handlers, and
 * the other nodes' sockets catch up from the event log when they reconnect.
 */
import type { Bus, BusTopic } from '../ports/bus.js';
import type { Metrics } from '../ports/metrics.js';

/**
 * Told of the first failed publish of an outage (`failed`), and of the number that failed in
 * all once a publish works again (`recovered`): a log line per outage, not per send.
 */
export interface PublishFailureHandler {
  failed(error: unknown, topic: BusTopic): void;
  recovered(failedCount: number): void;
}

/** The reason counted by `eventsDropped` for each publish the bus refused. */
export const PUBLISH_FAILED = 'bus_publish_failed';

/** `bus` with a `publish` that never rejects; `subscribe`, `ping` and `close` are the bus's own. */
export function afterCommitBus(bus: Bus, metrics: Metrics, report?: PublishFailureHandler): Bus {
  let failedCount = 0;
  return {
    get scope() {
      return bus.scope;
    },
    async publish(topic, payload) {
      try {
        await bus.publish(topic, payload);
      } catch (error) {
        metrics.eventsDropped(PUBLISH_FAILED);
        if (failedCount++ === 0) report?.failed(error, topic);
        return;
      }
      if (failedCount > 0) report?.recovered(failedCount);
      failedCount = 0;
    },
    subscribe: (topic, handler) => bus.subscribe(topic, handler),
    ping: () => bus.ping(),
    ...(bus.onConnection ? { onConnection: bus.onConnection.bind(bus) } : {}),
    close: () => bus.close(),
  };
}
