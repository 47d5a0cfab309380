/**
 * What the core and the realtime layer count. The Prometheus adapter
 * (`adapters/metrics/prometheus.ts`) turns these into `/metrics`; `noopMetrics` is for
 * callers that do not care (unit tests, the CLI). HTTP request counts and latency are
 * measured by the API layer's hooks, not through this port.
 */
export type PushTransport = 'apns' | 'fcm' | 'web';
export type PushOutcome = 'sent' | 'failed' | 'dropped';

export interface Metrics {
  /** A login refused for bad credentials, by API family (`native`, `vapp`, `rooms`). */
  loginFailed(family: string): void;
  /** A request refused by a rate limit, by bucket (`login`, `register`, `socket`, …). */
  rateLimited(bucket: string): void;
  /** A socket opened, by protocol (`native`, `rooms`); `socketClosed` when it goes. */
  socketOpened(protocol: string): void;
  socketClosed(protocol: string): void;
  /** Events written to sockets, by protocol (`native`, `rooms`). */
  eventsDelivered(protocol: string, count?: number): void;
  /** Events not delivered (slow consumer, socket closed, …), by reason. */
  eventsDropped(reason: string, count?: number): void;
  /** One push attempt's outcome: sent, failed (will retry) or dropped (gave up / token invalid). */
  pushOutcome(transport: PushTransport, outcome: PushOutcome): void;
  /** Time one store or bus operation took, in seconds. */
  observeStore(operation: string, seconds: number): void;
  observeBus(operation: string, seconds: number): void;
}

export const noopMetrics: Metrics = {
  loginFailed() {},
  rateLimited() {},
  socketOpened() {},
  socketClosed() {},
  eventsDelivered() {},
  eventsDropped() {},
  pushOutcome() {},
  observeStore() {},
  observeBus() {},
};
