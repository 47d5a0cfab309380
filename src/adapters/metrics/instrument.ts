/**
 * Timing wrappers that report through the Metrics port: the bus's `publish` (by topic) and a
 * few store operations that sit on the write paths (message insert, event-log append,
 * transactions, login lookups). Read paths that every request takes (session and user by
 * id, as `GET /users/me`) are left bare, so the hottest route pays nothing for metrics.
 */
import type { Bus } from '../../ports/bus.js';
import type { Metrics } from '../../ports/metrics.js';
import type { Repositories, Store } from '../../ports/store.js';

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** Runs `work`, reporting its time (also when it fails) to `observe`. */
async function timed<T>(observe: (seconds: number) => void, work: () => Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  try {
    return await work();
  } finally {
    observe(seconds(start));
  }
}

/** The same bus, with each `publish` timed as `publish:<topic>`. */
export function instrumentBus(bus: Bus, metrics: Metrics): Bus {
  return {
    get scope() {
      return bus.scope;
    },
    publish: (topic, payload) =>
      timed(
        (s) => metrics.observeBus(`publish:${topic}`, s),
        () => bus.publish(topic, payload),
      ),
    subscribe: (topic, handler) => bus.subscribe(topic, handler),
    ping: () => bus.ping(),
    ...(bus.onConnection ? { onConnection: bus.onConnection.bind(bus) } : {}),
    close: () => bus.close(),
  };
}

/** Store operations that are timed, as `repository.method`. */
export const TIMED_STORE_OPERATIONS = ['messages.insert', 'events.append', 'users.findByUsername', 'users.findByEmail', 'sessions.insert'] as const;

type RepositoryName = keyof Repositories;

/**
 * Times `transaction` and the TIMED_STORE_OPERATIONS of `store` (also inside transactions).
 * The repositories are wrapped in copies: the adapter's own objects are untouched.
 */
export function instrumentStore(store: Store, metrics: Metrics): Store {
  const wrap = <R extends Repositories>(repos: R): R => {
    const copy = { ...repos };
    for (const operation of TIMED_STORE_OPERATIONS) {
      const [name, method] = operation.split('.') as [RepositoryName, string];
      const repository = repos[name] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const original = repository[method];
      if (typeof original !== 'function') continue;
      (copy as Record<string, unknown>)[name] = {
        ...((copy as Record<string, unknown>)[name] as object),
        [method]: (...args: unknown[]) =>
          timed(
            (s) => metrics.observeStore(operation, s),
            () => original.apply(repository, args),
          ),
      };
    }
    return copy;
  };
  const wrapped = wrap(store);
  return {
    ...wrapped,
    kind: store.kind,
    transaction: (work) =>
      timed(
        (s) => metrics.observeStore('transaction', s),
        () => store.transaction((tx) => work(wrap(tx))),
      ),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
