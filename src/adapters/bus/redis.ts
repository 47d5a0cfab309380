/**
 * The cross-node bus over Redis pub/sub, after hocuspocus's Redis extension: one connection
 * publishes and another subscribes (a subscribing connection can do nothing else), every
 * message names the node that sent it, and channels carry a prefix so deployments can share
 * one Redis. A node delivers its own events locally when it publishes and drops their echo
 * from Redis, so each handler runs exactly once per event on every node.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { redactUrl } from '../../config.js';
import { describeError } from '../describe-error.js';
import type { Bus, BusHandler, BusTopic, BusTopics } from '../../ports/bus.js';

/** What the bus reports: a dropped message, a handler that threw, a lost connection. */
export interface BusLogger {
  warn(details: object, message: string): void;
}

export interface RedisBusOptions {
  /** Channel prefix (`REDIS_PREFIX`); must not hold the glob characters `*?[]\`. */
  prefix?: string;
  /** This node's id; two nodes must never share one. Default: a random UUID. */
  nodeId?: string;
  /** Longest wait between reconnection attempts (default 5 s); the wait doubles up to it. */
  maxReconnectDelayMs?: number;
  /** How long the first connection may take before start fails (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * How long one command (a publish, a ping) may wait for Redis's answer before it fails
   * (default 2 s): bounds a Redis that accepts connections but does not answer.
   */
  commandTimeoutMs?: number;
  logger?: BusLogger;
}

/** The envelope on the wire. */
interface Envelope {
  node: string;
  topic: string;
  payload: unknown;
}

const parseEnvelope = (text: string): Envelope | undefined => {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { node, topic, payload } = value as Record<string, unknown>;
    if (typeof node !== 'string' || typeof topic !== 'string' || payload === undefined) return undefined;
    return { node, topic, payload };
  } catch {
    return undefined;
  }
};

/**
 * Connects both connections (failing with a message naming the URL when Redis does not
 * answer) and subscribes to every channel under the prefix before it resolves, so an event
 * published by another node after this returns is never missed.
 */
export async function createRedisBus(url: string, options: RedisBusOptions = {}): Promise<Bus> {
  const prefix = options.prefix ?? 'parley:';
  if (/[*?[\]\\]/.test(prefix)) throw new Error(`Redis bus prefix "${prefix}" must not hold *, ?, [, ] or \\`);
  const nodeId = options.nodeId ?? randomUUID();
  const maxDelay = options.maxReconnectDelayMs ?? 5000;
  const log = options.logger;
  const where = `Redis at ${redactUrl(url)}`;

  const connectionOptions: RedisOptions = {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    // Reconnect for ever, waiting 100 ms, 200 ms, 400 ms … up to `maxDelay` between attempts.
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt - 1, 16), maxDelay),
    // While the connection is down a command fails at once instead of waiting in a queue for
    // the reconnection: a send is stored before it is published, so its answer must not wait
    // on Redis (issue 24: ~10 s per send during an outage). The core logs and counts it.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 2000,
  };
  const publisher = new Redis(url, { ...connectionOptions, connectionName: `parley-pub-${nodeId}` });
  const subscriber = new Redis(url, { ...connectionOptions, connectionName: `parley-sub-${nodeId}` });

  // ioredis reports every failed attempt; say it once per outage, not every few seconds.
  let started = false;
  let closed = false;
  let lastError: Error | undefined;
  for (const [role, connection] of [
    ['publisher', publisher],
    ['subscriber', subscriber],
  ] as const) {
    let reported = false;
    connection.on('error', (error: Error) => {
      lastError = error;
      if (started && !reported) log?.warn({ err: error, role }, `${where}: connection lost; reconnecting`);
      reported = started;
    });
    connection.on('ready', () => {
      if (reported) log?.warn({ role }, `${where}: connection restored`);
      reported = false;
    });
  }

  // The subscriber's connection is what this node hears the bus through: once lost, what other
  // nodes publish is gone for it (pub/sub keeps nothing). Listeners hear `down` when it is lost
  // and `up` once it is subscribed again (realtime/bus-recovery.ts then catches sockets up).
  const watchers = new Set<(state: 'down' | 'up') => void>();
  let hearing = true;
  const tell = (state: 'down' | 'up') => {
    for (const watcher of [...watchers]) {
      try {
        watcher(state);
      } catch (error) {
        log?.warn({ err: error, state }, 'a bus connection watcher threw');
      }
    }
  };
  const lost = () => {
    if (!started || closed || !hearing) return;
    hearing = false;
    tell('down');
  };
  subscriber.on('close', lost);
  subscriber.on('error', lost);
  subscriber.on('ready', () => {
    if (!started || closed || hearing) return;
    // ioredis re-sends PSUBSCRIBE as it turns ready; the PING's answer comes after Redis has
    // handled it, so from `up` on nothing published is missed.
    subscriber.ping().then(
      () => {
        if (closed || hearing || subscriber.status !== 'ready') return;
        hearing = true;
        tell('up');
      },
      () => {},
    );
  });

  const handlers = new Map<string, Set<BusHandler<BusTopic>>>();
  const dispatch = (topic: string, payload: unknown) => {
    for (const handler of [...(handlers.get(topic) ?? [])]) {
      try {
        handler(payload as BusTopics[BusTopic]);
      } catch (error) {
        log?.warn({ err: error, topic }, 'a bus handler threw');
      }
    }
  };

  subscriber.on('pmessage', (_pattern: string, channel: string, text: string) => {
    const envelope = parseEnvelope(text);
    if (!envelope || channel !== `${prefix}${envelope.topic}`) {
      log?.warn({ channel, length: text.length }, 'dropped a malformed bus message');
      return;
    }
    if (envelope.node === nodeId) return; // our own publish, already delivered locally
    dispatch(envelope.topic, envelope.payload);
  });

  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
    await subscriber.psubscribe(`${prefix}*`);
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    // ioredis rejects with "Connection is closed."; the reason came as an error event.
    const reason = describeError(lastError ?? error);
    throw new Error(`Cannot connect to ${where}: ${reason}`, { cause: lastError ?? error });
  }
  started = true;

  return {
    scope: 'cluster',
    async publish<K extends BusTopic>(topic: K, payload: BusTopics[K]) {
      if (closed) throw new Error('the bus is closed');
      const message = JSON.stringify({ node: nodeId, topic, payload } satisfies Envelope);
      // A later microtask, as on the memory bus: the publisher never runs inside a handler.
      await Promise.resolve();
      dispatch(topic, payload);
      await publisher.publish(`${prefix}${topic}`, message);
    },
    subscribe<K extends BusTopic>(topic: K, handler: BusHandler<K>) {
      let set = handlers.get(topic);
      if (!set) handlers.set(topic, (set = new Set()));
      const entry = handler as BusHandler<BusTopic>;
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
    async ping() {
      for (const [role, connection] of [
        ['publisher', publisher],
        ['subscriber', subscriber],
      ] as const) {
        if (connection.status !== 'ready') throw new Error(`redis ${role} ${connection.status}`);
      }
      await Promise.all([publisher.ping(), subscriber.ping()]);
    },
    onConnection(handler) {
      watchers.add(handler);
      return () => {
        watchers.delete(handler);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      handlers.clear();
      watchers.clear();
      await Promise.all(
        [publisher, subscriber].map(async (connection) => {
          if (connection.status === 'ready') await connection.quit().catch(() => connection.disconnect());
          else connection.disconnect();
        }),
      );
    },
  };
}
