/**
 * The Metrics port on prom-client, with a Registry of its own per app (several apps in one
 * process, as in the tests, never share counters). Also counts HTTP requests, which the
 * API layer's hook reports through `observeRequest`, and Node's default metrics (event-loop
 * delay, heap, GC, CPU). Every name is listed in the README's "Metrics" section.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../../ports/metrics.js';
import { HttpRequestMetrics } from './http-requests.js';

/** What `/metrics` needs besides the port. */
export interface PrometheusMetrics {
  /** The port the core and the realtime layer count through. */
  metrics: Metrics;
  /** One answered HTTP request: `route` is the route pattern (`/chats/:id`), never the raw URL. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** The exposition text and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

/** Seconds; store and bus operations are usually well under a millisecond on SQLite. */
const OPERATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** Builds the metrics of one app on a fresh Registry. */
export function createPrometheusMetrics(): PrometheusMetrics {
  const registers = [new Registry()];
  const [registry] = registers as [Registry];
  collectDefaultMetrics({ register: registry });

  const http = new HttpRequestMetrics();
  http.register(registry);
  const openSockets = new Gauge({
    name: 'parley_open_sockets',
    help: 'WebSockets open on this node, by protocol',
    labelNames: ['protocol'] as const,
    registers,
  });
  const delivered = new Counter({
    name: 'parley_events_delivered_total',
    help: 'Events written to sockets, by protocol',
    labelNames: ['protocol'] as const,
    registers,
  });
  const dropped = new Counter({
    name: 'parley_events_dropped_total',
    help: 'Events not written to a socket, by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  const loginFailures = new Counter({
    name: 'parley_login_failures_total',
    help: 'Logins refused for wrong credentials, by API family',
    labelNames: ['family'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: 'parley_rate_limited_total',
    help: 'Requests refused by a rate limit, by limit',
    labelNames: ['bucket'] as const,
    registers,
  });
  const push = new Counter({
    name: 'parley_push_total',
    help: 'Push notification attempts, by transport and outcome',
    labelNames: ['transport', 'outcome'] as const,
    registers,
  });
  const storeSeconds = new Histogram({
    name: 'parley_store_operation_seconds',
    help: 'Time of instrumented store operations, by operation',
    labelNames: ['operation'] as const,
    buckets: OPERATION_BUCKETS,
    registers,
  });
  const busSeconds = new Histogram({
    name: 'parley_bus_operation_seconds',
    help: 'Time of bus operations (publish), by topic',
    labelNames: ['operation'] as const,
    buckets: OPERATION_BUCKETS,
    registers,
  });

  // Known label values start at 0, so a rate() over them works before the first event.
  for (const protocol of ['native', 'rooms']) {
    openSockets.set({ protocol }, 0);
    delivered.inc({ protocol }, 0);
  }
  for (const family of ['native', 'vapp', 'rooms']) loginFailures.inc({ family }, 0);

  const metrics: Metrics = {
    loginFailed: (family) => loginFailures.inc({ family }),
    rateLimited: (bucket) => rateLimited.inc({ bucket }),
    socketOpened: (protocol) => openSockets.inc({ protocol }),
    socketClosed: (protocol) => openSockets.dec({ protocol }),
    eventsDelivered: (protocol, count = 1) => delivered.inc({ protocol }, count),
    eventsDropped: (reason, count = 1) => dropped.inc({ reason }, count),
    pushOutcome: (transport, outcome) => push.inc({ transport, outcome }),
    observeStore: (operation, seconds) => storeSeconds.observe({ operation }, seconds),
    observeBus: (operation, seconds) => busSeconds.observe({ operation }, seconds),
  };

  return {
    metrics,
    observeRequest: (method, route, status, seconds) => http.observe(method, route, status, seconds),
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
